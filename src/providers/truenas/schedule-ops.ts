/**
 * SnapshotSchedule operations: group the server's tasks by the markers in their datasets' user
 * properties, and converge a schedule's tasks to its spec — update its task per target dataset,
 * create missing ones (adopting an unowned task identical to the one wanted: what a create
 * interrupted before its marker was written leaves behind), delete tasks of datasets no longer
 * targeted. Delete removes every task carrying the schedule's marker.
 */
import { ProviderError, type CanonicalSpec, type CreateRequest, type DeleteRequest, type ObservedResource, type OwnershipMarker, type UpdateRequest } from "../contract.js";
import { deepEqual } from "../diff-util.js";
import type { SessionContext } from "./context.js";
import { queryDatasets, type DatasetInfo } from "./datasets.js";
import { doing, isNotFound } from "./errors.js";
import { markerLine, parseMarked, sameOwner } from "./marker.js";
import { poolOf } from "./names.js";
import { scheduleExternalId, taskFields, taskMarkerKey, taskOf, type CanonSchedule, type CanonTask } from "./schedule.js";

type Row = Record<string, unknown>;

/** A task row with its owner (from its dataset's user property), if any. */
export interface OwnedTask {
  row: Row;
  task: CanonTask;
  owner?: OwnershipMarker;
}

/** Pairs every task with its marker. */
export function ownersOf(tasks: Row[], datasets: Map<string, DatasetInfo>): OwnedTask[] {
  return tasks.map((row) => {
    const owner = parseMarked(datasets.get(String(row.dataset))?.userProps[taskMarkerKey(row.id)]).marker;
    return { row, task: taskOf(row), ...(owner ? { owner } : {}) };
  });
}

/** One observed schedule per marker found on tasks. */
export function groupSchedules(owned: OwnedTask[]): ObservedResource[] {
  const groups = new Map<string, { m: OwnershipMarker; tasks: CanonTask[] }>();
  for (const t of owned) {
    if (!t.owner) continue;
    const key = scheduleExternalId(t.owner);
    const g = groups.get(key) ?? { m: t.owner, tasks: [] };
    g.tasks.push(t.task);
    groups.set(key, g);
  }
  return [...groups.entries()].map(([id, g]) => ({
    kind: "SnapshotSchedule" as const, externalId: id, name: g.m.address.replace(/^SnapshotSchedule\//, "").replace(/@[^@]*$/, ""), marker: g.m,
    spec: { tasks: g.tasks.sort((a, b) => a.dataset.localeCompare(b.dataset)) } as unknown as CanonicalSpec,
    status: { placement: [...new Set(g.tasks.map((t) => poolOf(t.dataset)))].sort().join(",") },
  }));
}

async function snapshot(ctx: SessionContext, extraDatasets: string[]): Promise<{ owned: OwnedTask[]; datasets: Map<string, DatasetInfo> }> {
  const tasks = await ctx.client.call<Row[]>("pool.snapshottask.query", [[]], { idempotent: true });
  const names = [...new Set([...tasks.map((t) => String(t.dataset)), ...extraDatasets])];
  const datasets = new Map((await queryDatasets(ctx.client, [["id", "in", names]])).map((d) => [d.name, d]));
  return { owned: ownersOf(tasks, datasets), datasets };
}

async function setOwner(ctx: SessionContext, dataset: string, id: unknown, m: OwnershipMarker | null): Promise<void> {
  const up = m ? { key: taskMarkerKey(id), value: markerLine(m) } : { key: taskMarkerKey(id), remove: true };
  await ctx.client.call("pool.dataset.update", [dataset, { user_properties_update: [up] }]);
}

async function deleteTask(ctx: SessionContext, t: OwnedTask, datasets: Map<string, DatasetInfo>): Promise<void> {
  try {
    await ctx.client.call("pool.snapshottask.delete", [Number(t.row.id)]);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (datasets.has(t.task.dataset)) await setOwner(ctx, t.task.dataset, t.row.id, null);
}

async function converge(ctx: SessionContext, d: CanonSchedule, m: OwnershipMarker): Promise<ObservedResource> {
  const { owned, datasets } = await snapshot(ctx, d.tasks.map((t) => t.dataset));
  const mine = owned.filter((t) => sameOwner(t.owner, m));
  for (const want of d.tasks) {
    if (!datasets.has(want.dataset)) throw new ProviderError(`dataset ${want.dataset} does not exist (is its VM or share created?)`, { code: "TRUENAS_NO_DATASET", retryable: false });
    const [first, ...dupes] = mine.filter((t) => t.task.dataset === want.dataset);
    for (const t of dupes) await deleteTask(ctx, t, datasets);
    if (first) {
      if (!deepEqual(first.task, want)) await ctx.client.call("pool.snapshottask.update", [Number(first.row.id), taskFields(want)]);
      continue;
    }
    const orphan = owned.find((t) => !t.owner && deepEqual(t.task, want));
    const id = orphan ? orphan.row.id : (await ctx.client.call<Row>("pool.snapshottask.create", [taskFields(want)])).id;
    await setOwner(ctx, want.dataset, id, m);
  }
  const wanted = new Set(d.tasks.map((t) => t.dataset));
  for (const t of mine) if (!wanted.has(t.task.dataset)) await deleteTask(ctx, t, datasets);
  const after = await snapshot(ctx, []);
  return groupSchedules(after.owned).find((o) => o.externalId === scheduleExternalId(m)) ?? { kind: "SnapshotSchedule", externalId: scheduleExternalId(m), name: m.address, marker: m, spec: { tasks: [] } };
}

/** Creates (or completes) the schedule's tasks. */
export function createSchedule(ctx: SessionContext, req: CreateRequest): Promise<ObservedResource> {
  return doing(`cannot create truenas snapshot tasks of ${req.address}`, () => converge(ctx, req.spec as unknown as CanonSchedule, req.marker));
}

/** Brings the schedule's tasks to the spec. */
export function updateSchedule(ctx: SessionContext, req: UpdateRequest): Promise<ObservedResource> {
  return doing(`cannot update truenas snapshot tasks of ${req.address}`, () => converge(ctx, req.spec as unknown as CanonSchedule, req.marker));
}

/** Deletes every task carrying the schedule's marker. */
export function deleteSchedule(ctx: SessionContext, req: DeleteRequest): Promise<void> {
  const m = { stack: ctx.stack, address: req.address };
  return doing(`cannot delete truenas snapshot tasks of ${req.address}`, async () => {
    const { owned, datasets } = await snapshot(ctx, []);
    for (const t of owned) if (sameOwner(t.owner, m)) await deleteTask(ctx, t, datasets);
  });
}
