/**
 * One-off snapshots (reference §7.2): `zfs.snapshot.*` up to 25.04, `pool.snapshot.*` on 25.10
 * (where `zfs.snapshot.*` is not exposed). Query, create (name or naming_schema, recursive,
 * exclude), update (user properties), delete (recursive), rollback and clone.
 */
import { CallError, ERRNO, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateDict, validateUnion, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import type { SnapshotRecord } from "../world.js";
import { arity, dictArg, getInstanceMethod, queryMethod, strArg, zprop } from "./common.js";
import { createDataset } from "./dataset.js";
import { strftime } from "./snapshot-task.js";

/** Creates `dataset@name` (and on descendants when recursive, minus `exclude`). */
export function takeSnapshot(ctx: MethodCtx, dataset: string, name: string, recursive: boolean, exclude: string[] = []): SnapshotRecord {
  const w = ctx.sim.world;
  const id = `${dataset}@${name}`;
  if (!w.datasets.has(dataset)) throw new CallError(`Failed to snapshot ${id}: dataset does not exist`, ERRNO.ENOENT);
  if (w.snapshots.has(id)) throw new CallError(`Failed to snapshot ${id}: dataset already exists`, ERRNO.EEXIST);
  const targets = [dataset];
  if (recursive) for (const d of w.datasets.keys()) if (d.startsWith(`${dataset}/`) && !exclude.some((e) => d === e || d.startsWith(`${e}/`))) targets.push(d);
  const txg = w.txg++;
  const now = Date.now();
  let first: SnapshotRecord | null = null;
  for (const ds of targets) {
    const rec: SnapshotRecord = { dataset: ds, name, created: now, createtxg: txg, userProperties: {} };
    w.snapshots.set(`${ds}@${name}`, rec);
    first ??= rec;
  }
  w.touch();
  return first!;
}

function render(s: SnapshotRecord): Record<string, unknown> {
  const id = `${s.dataset}@${s.name}`;
  return {
    id,
    name: id,
    pool: s.dataset.split("/")[0],
    dataset: s.dataset,
    snapshot_name: s.name,
    type: "SNAPSHOT",
    createtxg: String(s.createtxg),
    properties: {
      creation: zprop({ $date: s.created }, String(Math.floor(s.created / 1000)), new Date(s.created).toUTCString(), "NONE"),
      used: zprop(0, "0", "0B", "NONE"),
      referenced: zprop(0, "0", "0B", "NONE"),
      userrefs: zprop("0", "0", "0", "NONE"),
    },
    user_properties: { ...s.userProperties },
  };
}

function baseFields(): Fields {
  return { dataset: f.str({ required: true }), recursive: f.bool({ default: false }), exclude: f.list({ default: [], items: { t: "str" } }), vmware_sync: f.bool({ default: false }), properties: f.dict({ default: {} }) };
}

function doCreate(ctx: MethodCtx, data: Record<string, unknown>): Record<string, unknown> {
  const name = typeof data.name === "string" ? data.name : strftime(data.naming_schema as string, new Date());
  return render(takeSnapshot(ctx, data.dataset as string, name, Boolean(data.recursive), data.exclude as string[]));
}

/** Registers `zfs.snapshot.*` (≤25.04) or `pool.snapshot.*` (25.10). */
export function registerSnapshot(t: MethodTable, p: Persona): void {
  const ns = p.poolSnapshot ? "pool.snapshot" : "zfs.snapshot";
  const verbose = p.poolSnapshot ? "PoolSnapshot" : "ZFSSnapshot";
  const find = (ctx: MethodCtx, id: string) => {
    const s = ctx.sim.world.snapshots.get(id);
    if (!s) throw instanceNotFound(verbose, id);
    return s;
  };
  t.set(`${ns}.query`, queryMethod((ctx) => [...ctx.sim.world.snapshots.values()].map(render)));
  t.set(`${ns}.get_instance`, getInstanceMethod(verbose, (ctx, id) => {
    const s = ctx.sim.world.snapshots.get(id as string);
    return s && render(s);
  }, "str"));
  t.set(`${ns}.create`, {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const v = new Verrors();
      if (p.poolSnapshot) {
        const r = validateUnion(params[0], {
          PoolSnapshotCreateWithName: { ...baseFields(), name: f.str({ required: true }) },
          PoolSnapshotCreateWithSchema: { ...baseFields(), naming_schema: f.str({ required: true }) },
        }, "data", v);
        v.check();
        return doCreate(ctx, r!.value);
      }
      const fields: Fields = { ...baseFields(), name: f.str(), naming_schema: f.str(), suspend_vms: f.bool({ default: false }) };
      const data = validateDict(params[0], fields, p.pydantic ? "data" : "snapshot_create", v, { pydantic: p.pydantic });
      v.check();
      if ((data.name === undefined) === (data.naming_schema === undefined)) {
        v.add("snapshot_create.naming_schema", "You must specify either name or naming schema");
        v.check();
      }
      return doCreate(ctx, data);
    },
  });
  t.set(`${ns}.delete`, {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = strArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], "options", { defer: f.bool({ default: false }), recursive: f.bool({ default: false }) });
      const s = find(ctx, id);
      const w = ctx.sim.world;
      w.snapshots.delete(id);
      if (opts.recursive) for (const [k, o] of w.snapshots) if (o.name === s.name && o.dataset.startsWith(`${s.dataset}/`)) w.snapshots.delete(k);
      w.touch();
      return true;
    },
  });
  t.set(`${ns}.update`, {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "data"], 2);
      const id = strArg(ctx, params[0]);
      const data = dictArg(ctx, params[1], "data", {
        user_properties_update: f.list({ default: [], items: { t: "dict", fields: { key: f.str({ required: true }), value: f.str({ required: true }) } } }),
        user_properties_remove: f.list({ default: [], items: { t: "str" } }),
      });
      const s = find(ctx, id);
      for (const up of data.user_properties_update as { key: string; value: string }[]) s.userProperties[up.key] = up.value;
      for (const k of data.user_properties_remove as string[]) delete s.userProperties[k];
      ctx.sim.world.touch();
      return render(s);
    },
  });
  t.set(`${ns}.rollback`, {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = strArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], "options", { recursive: f.bool({ default: false }), recursive_clones: f.bool({ default: false }), force: f.bool({ default: false }), recursive_rollback: f.bool({ default: false }) });
      const s = find(ctx, id);
      const w = ctx.sim.world;
      const newer = [...w.snapshots.entries()].filter(([, o]) => o.dataset === s.dataset && o.createtxg > s.createtxg);
      if (newer.length && !opts.recursive) {
        throw new CallError(`Failed to rollback snapshot: cannot rollback to '${id}': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n${newer.map(([k]) => k).join("\n")}`);
      }
      for (const [k] of newer) w.snapshots.delete(k);
      w.touch();
      return null;
    },
  });
  t.set(`${ns}.clone`, {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const data = dictArg(ctx, params[0], p.pydantic ? "data" : "vmclone", { snapshot: f.str({ required: true }), dataset_dst: f.str({ required: true }), dataset_properties: f.dict({ default: {} }) });
      const s = find(ctx, data.snapshot as string);
      const src = ctx.sim.world.datasets.get(s.dataset)!;
      createDataset(ctx, src.type === "VOLUME" ? { name: data.dataset_dst, type: "VOLUME", volsize: src.props.volsize, volblocksize: src.props.volblocksize, sparse: true } : { name: data.dataset_dst, type: "FILESYSTEM" });
      return true;
    },
  });
}
