import type { DesiredResource, ResourceKind } from "../../manifest/model.js";
import type { CanonicalSpec, Provider } from "../contract.js";
import { proxmoxDemand } from "./capacity.js";
import { canonicalize } from "./canonicalize.js";
import { connectProxmox } from "./connect.js";
import { diffCanonical } from "./diff.js";
import { proxmoxManifestSpec } from "./generate.js";
import { diffContainer } from "./lxc-diff.js";
import { canonicalContainer } from "./lxc-spec.js";

/**
 * The Proxmox VE provider. Kinds: `VirtualMachine` (QEMU guest, created from scratch or cloned from
 * a template VM), `VmTemplate` with a proxmox section (template VM), and `NfsShare` attachments
 * (NFS storage), and `Container` (LXC guest, `lxc-*.ts`). Canonical specs: see `spec-types.ts`
 * and `lxc-spec.ts`; ownership marker: see `marker.ts`; field effects: see `diff.ts`, `lxc-diff.ts`.
 * The only secret is a container's root password, held in specs as its reference (`env:NAME`) and
 * shown as (sensitive).
 */
export const proxmoxProvider: Provider = {
  type: "proxmox",
  connect: (config, options) => connectProxmox(config, options),
  canonicalize: (r, config) => (r.kind === "Container" ? (canonicalContainer(r as DesiredResource<"Container">, config) as unknown as CanonicalSpec) : canonicalize(r, config)),
  diff: (kind, desired, observed) => (kind === "Container" ? diffContainer(desired, observed) : diffCanonical(kind, desired, observed)),
  sensitivePaths: (kind: ResourceKind) => (kind === "Container" ? ["rootPassword"] : []),
  manifestSpec: proxmoxManifestSpec,
  demand: (kind, spec) => proxmoxDemand(kind, spec),
};

export { connectProxmox, type ProxmoxTuning } from "./connect.js";
export { ProxmoxSession } from "./session.js";
export { MARKER_TAG, formatMarkerLine, parseMarkerLine, storageMarkerPath } from "./marker.js";
export type { VmSpec, NfsStorageSpec, DiskSpec, NicSpec, CloudInitSpec } from "./spec-types.js";
export type { CtSpec, CtMount, CtNic, CtFeatures } from "./lxc-spec.js";
