import type { ResourceKind } from "../../manifest/model.js";
import type { Provider } from "../contract.js";
import { proxmoxDemand } from "./capacity.js";
import { canonicalize } from "./canonicalize.js";
import { connectProxmox } from "./connect.js";
import { diffCanonical } from "./diff.js";

/**
 * The Proxmox VE provider. Kinds: `VirtualMachine` (QEMU guest, created from scratch or cloned from
 * a template VM), `VmTemplate` with a proxmox section (template VM), and `NfsShare` attachments
 * (NFS storage). Canonical specs: see `spec-types.ts`; ownership marker: see `marker.ts`; field
 * effects: see `diff.ts`. No canonical field is secret (vmsync sets no cloud-init password).
 */
export const proxmoxProvider: Provider = {
  type: "proxmox",
  connect: (config, options) => connectProxmox(config, options),
  canonicalize,
  diff: diffCanonical,
  sensitivePaths: (_kind: ResourceKind) => [],
  demand: (kind, spec) => proxmoxDemand(kind, spec),
};

export { connectProxmox, type ProxmoxTuning } from "./connect.js";
export { ProxmoxSession } from "./session.js";
export { MARKER_TAG, formatMarkerLine, parseMarkerLine, storageMarkerPath } from "./marker.js";
export type { VmSpec, NfsStorageSpec, DiskSpec, NicSpec, CloudInitSpec } from "./spec-types.js";
