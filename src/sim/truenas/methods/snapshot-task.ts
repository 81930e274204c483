/**
 * `pool.snapshottask.*` (reference §7.1): periodic snapshot tasks — required fields on ≤24.10,
 * defaults on 25.04+, dataset/exclude/naming-schema checks, and `run` which takes a snapshot now.
 */
import { CallError, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateDict, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import type { SnapshotTaskRecord } from "../world.js";
import { arity, getInstanceMethod, intArg, queryMethod } from "./common.js";
import { takeSnapshot } from "./snapshot.js";

function taskFields(p: Persona): Fields {
  const legacy = !p.pydantic;
  const schedule = {
    minute: f.str({ default: "00" }),
    hour: f.str({ default: "*" }),
    dom: f.str({ default: "*" }),
    month: f.str({ default: "*" }),
    dow: f.str({ default: "*" }),
    begin: f.str({ default: "00:00", pattern: "^\\d\\d:\\d\\d$" }),
    end: f.str({ default: "23:59", pattern: "^\\d\\d:\\d\\d$" }),
  };
  const defaultSchedule = { minute: "00", hour: "*", dom: "*", month: "*", dow: "*", begin: "00:00", end: "23:59" };
  return {
    dataset: f.str({ required: true }),
    recursive: legacy ? f.bool({ required: true }) : f.bool({ default: false }),
    exclude: f.list({ default: [], items: { t: "str" } }),
    lifetime_value: legacy ? f.int({ required: true, min: 1 }) : f.int({ default: 2, min: 1 }),
    lifetime_unit: legacy ? f.str({ required: true, enum: ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"] }) : f.str({ default: "WEEK", enum: ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"] }),
    naming_schema: legacy ? f.str({ required: true }) : f.str({ default: "auto-%Y-%m-%d_%H-%M" }),
    schedule: legacy ? f.dict({ required: true, fields: schedule }) : f.dict({ default: defaultSchedule, fields: schedule }),
    allow_empty: f.bool({ default: true }),
    enabled: f.bool({ default: true }),
  };
}

function plugin(ctx: MethodCtx, data: Record<string, unknown>, schema: string): void {
  const v = new Verrors();
  const ds = data.dataset as string;
  if (!ctx.sim.world.datasets.has(ds)) v.add(`${schema}.dataset`, "Dataset not found");
  const exclude = data.exclude as string[];
  if (exclude.length && !data.recursive) v.add(`${schema}.exclude`, "Excluding datasets has no sense in non-recursive periodic snapshot tasks");
  exclude.forEach((e, i) => {
    if (!e.startsWith(`${ds}/`)) v.add(`${schema}.exclude.${i}`, "Excluded dataset should be a child or other descendant of selected dataset");
  });
  const schema_ = data.naming_schema as string;
  for (const token of ["%Y", "%m", "%d", "%H", "%M"]) {
    if (!schema_.includes(token)) {
      v.add(`${schema}.naming_schema`, `${token} must be present in naming schema`);
      break;
    }
  }
  if (/[/@\s]/.test(schema_)) v.add(`${schema}.naming_schema`, "Naming schema can not contain '/', '@' or spaces");
  v.check();
}

function render(t: SnapshotTaskRecord): Record<string, unknown> {
  return { id: t.id, ...t.fields, vmware_sync: false, state: { state: "PENDING" } };
}

/** `strftime` for the tokens naming schemas use (UTC). */
export function strftime(fmt: string, d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return fmt.replace(/%([YmdHMS%])/g, (_, c: string) =>
    c === "Y" ? String(d.getUTCFullYear()) : c === "m" ? pad(d.getUTCMonth() + 1) : c === "d" ? pad(d.getUTCDate()) : c === "H" ? pad(d.getUTCHours()) : c === "M" ? pad(d.getUTCMinutes()) : c === "S" ? pad(d.getUTCSeconds()) : "%",
  );
}

/** Registers `pool.snapshottask.*`. */
export function registerSnapshotTask(t: MethodTable, p: Persona): void {
  t.set("pool.snapshottask.query", queryMethod((ctx) => [...ctx.sim.world.snapshotTasks.values()].map(render)));
  t.set("pool.snapshottask.get_instance", getInstanceMethod("PeriodicSnapshotTask", (ctx, id) => {
    const r = ctx.sim.world.snapshotTasks.get(id as number);
    return r && render(r);
  }));
  t.set("pool.snapshottask.create", {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const v = new Verrors();
      const data = validateDict(params[0], taskFields(p), p.pydantic ? "data" : "periodic_snapshot_create", v, { pydantic: p.pydantic });
      v.check();
      plugin(ctx, data, "periodic_snapshot_create");
      const r: SnapshotTaskRecord = { id: ctx.sim.world.nextId("snapshotTask"), fields: data };
      ctx.sim.world.snapshotTasks.set(r.id, r);
      ctx.sim.world.touch();
      return render(r);
    },
  });
  t.set("pool.snapshottask.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "data"], 1);
      const id = intArg(ctx, params[0]);
      const fields = taskFields(p);
      if (p.pydantic) fields.fixate_removal_date = f.bool();
      const v = new Verrors();
      const patch = validateDict(params[1] ?? {}, fields, p.pydantic ? "data" : "periodic_snapshot_update", v, { pydantic: p.pydantic, partial: true });
      v.check();
      const r = ctx.sim.world.snapshotTasks.get(id);
      if (!r) throw instanceNotFound("PeriodicSnapshotTask", id);
      delete patch.fixate_removal_date;
      const merged = { ...r.fields, ...patch };
      if (patch.schedule) merged.schedule = { ...(r.fields.schedule as object), ...(patch.schedule as object) };
      plugin(ctx, merged, "periodic_snapshot_update");
      r.fields = merged;
      ctx.sim.world.touch();
      return render(r);
    },
  });
  t.set("pool.snapshottask.delete", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = intArg(ctx, params[0]);
      if (!ctx.sim.world.snapshotTasks.delete(id)) throw instanceNotFound("PeriodicSnapshotTask", id);
      ctx.sim.world.touch();
      return true;
    },
  });
  t.set("pool.snapshottask.run", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const id = intArg(ctx, params[0]);
      const r = ctx.sim.world.snapshotTasks.get(id);
      if (!r) throw instanceNotFound("PeriodicSnapshotTask", id);
      if (!r.fields.enabled) throw new CallError("Task is not enabled");
      const name = strftime(r.fields.naming_schema as string, new Date());
      const ds = r.fields.dataset as string;
      if (!ctx.sim.world.snapshots.has(`${ds}@${name}`)) takeSnapshot(ctx, ds, name, Boolean(r.fields.recursive), r.fields.exclude as string[]);
      return null;
    },
  });
}
