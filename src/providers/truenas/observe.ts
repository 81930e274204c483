/**
 * Bulk observe: at most four list calls whatever the fleet size — `vm.query` (devices included),
 * `pool.dataset.query` (flat, only the properties vmsync reads, user properties included),
 * `sharing.nfs.query` and `pool.snapshottask.query` — issued together, then normalised into the
 * canonical shapes of vm-spec.ts, share.ts and schedule.ts. Unowned VMs and shares are returned
 * too (name set, no marker) so that the planner can report same-named conflicts.
 */
import type { ObservedResource, ObserveScope } from "../contract.js";
import type { SessionContext } from "./context.js";
import { DATASET_QUERY_OPTIONS, datasetInfo, type DatasetInfo } from "./datasets.js";
import { withDeclaredAddresses } from "./addresses.js";
import { parseMarked } from "./marker.js";
import { groupSchedules, ownersOf } from "./schedule-ops.js";
import { datasetOfShare, observeShare } from "./share.js";
import { observeVm } from "./vm-observe.js";

type Row = Record<string, unknown>;

/** Reads everything of the kinds in `scope` (see module comment). */
export async function observeAll(ctx: SessionContext, scope: ObserveScope): Promise<ObservedResource[]> {
  const want = new Set(scope.kinds);
  const list = (method: string, on: boolean, params: unknown[] = [[]]) => (on ? ctx.client.call<Row[]>(method, params, { idempotent: true }) : Promise.resolve([] as Row[]));
  const [vms, dsRows, shares, tasks] = await Promise.all([
    list("vm.query", want.has("VirtualMachine")),
    list("pool.dataset.query", true, [[], DATASET_QUERY_OPTIONS]),
    list("sharing.nfs.query", want.has("NfsShare")),
    list("pool.snapshottask.query", want.has("SnapshotSchedule")),
  ]);
  const datasets = new Map<string, DatasetInfo>(dsRows.map((r) => datasetInfo(r)).map((d) => [d.name, d]));
  const ownerOf = new Map<string, string>();
  for (const d of datasets.values()) {
    const m = parseMarked(d.comments).marker;
    if (m) ownerOf.set(`${m.stack}\n${m.address}`, d.name);
  }
  const out: ObservedResource[] = [];
  const vmCtx = {
    volsizeMiB: (z: string) => {
      const v = datasets.get(z)?.volsize;
      return v === undefined ? undefined : v / 1048576;
    },
    datasetOwnedBy: (stack: string, address: string) => ownerOf.get(`${stack}\n${address}`),
    readSecret: (ref: string) => ctx.tryReadSecret(ref),
  };
  const vmsOut = await Promise.all(vms.map((vm) => observeVm(vm, vmCtx)));
  withDeclaredAddresses(vmsOut, scope.desired, ctx.stack);
  out.push(...vmsOut);
  if (want.has("NfsShare")) {
    const seen = new Set<string>();
    for (const row of shares) {
      const ds = datasetOfShare(row);
      if (!ds || seen.has(ds)) continue;
      seen.add(ds);
      out.push(observeShare(row, ds, datasets.get(ds)));
    }
    for (const d of datasets.values()) {
      const m = parseMarked(d.comments).marker;
      if (m?.address.startsWith("NfsShare/") && !seen.has(d.name)) out.push(observeShare(undefined, d.name, d));
    }
  }
  if (want.has("SnapshotSchedule")) out.push(...groupSchedules(ownersOf(tasks, datasets)));
  return out;
}
