import type { DesiredResource } from "../manifest/model.js";
import type { CanonicalSpec } from "../providers/contract.js";
import { cronOf } from "../manifest/resolve-schedules.js";

/**
 * The canonical spec of a SnapshotSchedule. Schedules live in vmsync's state (the daemon and
 * `vmsync snapshot run` execute them); providers with native schedules (TrueNAS) get their own
 * resources from the provider.
 */
export function scheduleSpec(r: DesiredResource): CanonicalSpec {
  const spec = r.spec as { schedule: string; retention: { keepLast?: number; maxAge?: string }; resolvedTargets: string[] };
  return {
    schedule: cronOf(spec.schedule) ?? spec.schedule,
    retention: { ...(spec.retention.keepLast !== undefined ? { keepLast: spec.retention.keepLast } : {}), ...(spec.retention.maxAge ? { maxAge: spec.retention.maxAge } : {}) },
    targets: spec.resolvedTargets,
  };
}
