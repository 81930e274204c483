/**
 * One-off ZFS snapshots of managed objects (`vmsync snapshot list|create|rollback`; TrueNAS
 * schedules are native periodic tasks, never these). `zfs.snapshot.*` up to 25.04, `pool.snapshot.*`
 * on 25.10+ (reference §7.2).
 * - A VM's snapshot covers its disks: one recursive snapshot of the zvols' common parent dataset
 *   (atomic across disks), excluding every other child of it; an NfsShare's is its dataset's.
 * - `create` marks the snapshot with the user property `vmsync:stack` (the ownership marker).
 * - `rollback` stops a running VM, rolls each dataset back (ZFS refuses when newer snapshots exist:
 *   vmsync never destroys them), and starts the VM again.
 */
import { ProviderError, type ActionTarget, type ListedSnapshot, type OperationContext, type SnapshotActions } from "../contract.js";
import type { SessionContext } from "./context.js";
import { queryDatasets } from "./datasets.js";
import { doing, isNotFound, ERRNO, TruenasCallError } from "./errors.js";
import { zvolOfPath } from "./names.js";
import { devicesOf } from "./vm-observe.js";
import { getVm, stateOf, stopVm } from "./vm-ops.js";

/** The user property naming the stack that took a snapshot. */
export const SNAPSHOT_STACK_PROPERTY = "vmsync:stack";

type Row = Record<string, unknown>;

/** The datasets a target's snapshot covers: `primary` is listed; `root` is what is snapshotted. */
interface Covered {
  root: string;
  datasets: string[];
  primary: string;
  vm?: Row;
}

function parentOf(dataset: string): string {
  return dataset.includes("/") ? dataset.slice(0, dataset.lastIndexOf("/")) : dataset;
}

async function covered(ctx: SessionContext, target: ActionTarget): Promise<Covered> {
  if (target.kind === "NfsShare") return { root: target.externalId, datasets: [target.externalId], primary: target.externalId };
  if (target.kind !== "VirtualMachine") throw new ProviderError(`${target.kind} has no snapshots on TrueNAS`, { code: "UNSUPPORTED", retryable: false });
  const vm = await getVm(ctx, ["id", "=", Number(target.externalId)]);
  if (!vm) throw new ProviderError("the VM does not exist", { code: "NOT_FOUND", retryable: false });
  const zvols = devicesOf(vm, "DISK").map((d) => zvolOfPath(d.attributes.path)).filter((z): z is string => z !== undefined);
  if (!zvols.length) throw new ProviderError("the VM has no zvol disks to snapshot", { code: "NOTHING_TO_SNAPSHOT", retryable: false });
  const parents = new Set(zvols.map(parentOf));
  const root = parents.size === 1 ? [...parents][0]! : zvols[0]!;
  return { root, datasets: parents.size === 1 ? [root, ...zvols] : zvols, primary: zvols[0]!, vm };
}

function creationOf(row: Row): string {
  const c = (row.properties as { creation?: { parsed?: unknown; rawvalue?: unknown } } | undefined)?.creation;
  const parsed = c?.parsed as { $date?: number } | number | undefined;
  const ms = typeof parsed === "object" && parsed?.$date !== undefined ? parsed.$date : typeof parsed === "number" ? parsed * 1000 : Number(c?.rawvalue ?? 0) * 1000;
  return new Date(ms).toISOString();
}

function stackOf(row: Row): string | undefined {
  const v = (row.user_properties as Record<string, { value?: unknown } | string> | undefined)?.[SNAPSHOT_STACK_PROPERTY];
  const value = typeof v === "string" ? v : v?.value;
  return typeof value === "string" && value ? value : undefined;
}

/** The snapshot actions of a TrueNAS session. */
export function truenasSnapshots(ctx: SessionContext): SnapshotActions {
  const ns = ctx.dialect.poolSnapshot ? "pool.snapshot" : "zfs.snapshot";
  const query = (dataset: string) => ctx.client.call<Row[]>(`${ns}.query`, [[["dataset", "=", dataset]]], { idempotent: true });
  const label = (t: ActionTarget) => `truenas ${t.kind === "VirtualMachine" ? "vm" : "dataset"} ${t.externalId}`;
  return {
    list: (target) =>
      doing(`cannot list snapshots of ${label(target)}`, async () => {
        const c = await covered(ctx, target);
        const rows = await query(c.primary);
        return rows
          .map((r): ListedSnapshot => {
            const stack = stackOf(r);
            return { name: String(r.snapshot_name ?? String(r.name).split("@")[1]), createdAt: creationOf(r), ...(stack ? { stack } : {}) };
          })
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
      }),
    create: (target, name) =>
      doing(`cannot snapshot ${label(target)} as ${name}`, async () => {
        const c = await covered(ctx, target);
        const wanted = new Set(c.datasets);
        const children = c.datasets.length > 1 ? await queryDatasets(ctx.client, [["id", "^", `${c.root}/`]]) : [];
        const exclude = children.map((d) => d.name).filter((d) => !wanted.has(d) && ![...wanted].some((w) => w.startsWith(`${d}/`)));
        try {
          await ctx.client.call(`${ns}.create`, [{ dataset: c.root, name, recursive: c.datasets.length > 1, ...(exclude.length ? { exclude } : {}) }]);
        } catch (err) {
          if (!(err instanceof TruenasCallError && err.wire.errno === ERRNO.EEXIST)) throw err;
        }
        await ctx.client.call(`${ns}.update`, [`${c.primary}@${name}`, { user_properties_update: [{ key: SNAPSHOT_STACK_PROPERTY, value: ctx.stack }] }]);
      }),
    delete: (target, name) =>
      doing(`cannot delete snapshot ${name} of ${label(target)}`, async () => {
        const c = await covered(ctx, target);
        for (const d of c.datasets) {
          try {
            await ctx.client.call(`${ns}.delete`, [`${d}@${name}`]);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }),
    rollback: (target, name, op: OperationContext) =>
      doing(`cannot roll ${label(target)} back to snapshot ${name}`, async () => {
        const c = await covered(ctx, target);
        const wasRunning = c.vm !== undefined && stateOf(c.vm) !== "STOPPED";
        if (c.vm && wasRunning) await stopVm(ctx, c.vm, op.signal);
        try {
          for (const d of c.datasets.filter((x) => x !== c.root || c.datasets.length === 1)) await ctx.client.call(`${ns}.rollback`, [`${d}@${name}`, { force: true }]);
        } finally {
          if (c.vm && wasRunning) await ctx.client.call("vm.start", [Number(c.vm.id), { overcommit: false }]);
        }
      }),
  };
}
