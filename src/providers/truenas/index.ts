/**
 * The TrueNAS SCALE provider: VMs (with zvol disks and devices), NFS shares (dataset + share) and
 * native periodic snapshot tasks, over the middleware websocket API (JSON-RPC 2.0 on 25.04+, the
 * legacy protocol otherwise). Canonical shapes: vm-spec.ts, share.ts, schedule.ts; change
 * classification: diff.ts; ownership marker: marker.ts; naming: names.ts.
 */
import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import type { CanonicalSpec, Provider } from "../contract.js";
import { truenasDemand } from "./capacity.js";
import { diffTruenas, truenasSensitivePaths } from "./diff.js";
import { truenasManifestSpec } from "./generate.js";
import { canonicalSchedule } from "./schedule.js";
import { connectTruenas } from "./session.js";
import { canonicalShare } from "./share.js";
import { canonicalVm } from "./vm-spec.js";

/** Canonical desired spec of a resource on a TrueNAS provider (pure; VmTemplates have none here). */
function canonicalize(r: DesiredResource, config: DesiredProvider): CanonicalSpec {
  switch (r.kind) {
    case "VirtualMachine":
      return canonicalVm(r, config) as unknown as CanonicalSpec;
    case "NfsShare":
      return canonicalShare(r) as unknown as CanonicalSpec;
    case "SnapshotSchedule":
      return canonicalSchedule(r, config) as unknown as CanonicalSpec;
    default:
      return {};
  }
}

/** The TrueNAS provider (see module comment). */
export const truenasProvider: Provider = {
  type: "truenas",
  connect: connectTruenas,
  canonicalize,
  diff: diffTruenas,
  sensitivePaths: truenasSensitivePaths,
  manifestSpec: truenasManifestSpec,
  demand: (kind, spec) => truenasDemand(kind, spec),
};
