/**
 * `pool.query`, `pool.filesystem_choices` and `pool.dataset.*` (reference §5): zvols with volsize
 * and filesystems with quota, property inheritance, the create/update/delete plugin rules
 * (parent exists, volsize multiple of volblocksize, 80 % check, ENOTEMPTY, attachments).
 */
import { CallError, ERRNO, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { validateDict, validateUnion } from "../schema.js";
import type { Persona } from "../versions.js";
import type { DatasetRecord } from "../world.js";
import { arity, dictArg, getInstanceMethod, humanSize, parseBlockSize, queryMethod, strArg, zprop } from "./common.js";
import { createLegacy, createUnion, FS_ONLY, INHERITABLE, updateFields, VOL_ONLY } from "./dataset-model.js";
import { PoolSpace } from "./dataset-space.js";
import { wantedPrefix, wantedValues } from "../filters.js";
import { f } from "../schema.js";

const SIZE_PROPS = ["quota", "refquota", "reservation", "refreservation"];

function parentOf(name: string): string | null {
  const i = name.lastIndexOf("/");
  return i < 0 ? null : name.slice(0, i);
}

function inherited(ctx: MethodCtx, d: DatasetRecord, prop: string): Record<string, unknown> {
  let cur: DatasetRecord | undefined = d;
  let source = "LOCAL";
  while (cur) {
    if (cur.props[prop] !== undefined) {
      const value = String(cur.props[prop]);
      const raw = value.toLowerCase();
      return zprop(raw === "on" ? true : raw === "off" ? false : raw, raw, value, source);
    }
    const parent = parentOf(cur.name);
    cur = parent ? ctx.sim.world.datasets.get(parent) : undefined;
    source = "INHERITED";
  }
  const value = INHERITABLE[prop] ?? "";
  const raw = value.toLowerCase();
  return zprop(raw === "on" ? true : raw === "off" ? false : raw, raw, value, "DEFAULT");
}

function sizeProp(v: unknown): Record<string, unknown> {
  const n = typeof v === "number" ? v : 0;
  return n ? zprop(n, String(n), humanSize(n), "LOCAL") : zprop(null, "0", null, "DEFAULT");
}

/** The wire entry of a dataset (`extra.properties` selects properties; [] = none). */
export function renderDataset(ctx: MethodCtx, d: DatasetRecord, extra: Record<string, unknown> = {}, space = PoolSpace.of(ctx)): Record<string, unknown> {
  const used = space.used(d.name);
  const avail = space.available();
  const out: Record<string, unknown> = {
    id: d.name,
    type: d.type,
    name: d.name,
    pool: d.name.split("/")[0],
    encrypted: false,
    encryption_root: null,
    key_loaded: false,
    locked: false,
    children: [],
    user_properties: Object.fromEntries(Object.entries(d.userProperties).map(([k, v]) => [k, { parsed: v, rawvalue: v, value: v, source: "LOCAL" }])),
    mountpoint: d.type === "FILESYSTEM" ? `/mnt/${d.name}` : null,
  };
  const props: Record<string, Record<string, unknown>> = {
    comments: typeof d.props.comments === "string" ? zprop(d.props.comments, d.props.comments, d.props.comments, "LOCAL") : zprop("", "", "", "DEFAULT"),
    used: zprop(used, String(used), humanSize(used), "NONE"),
    available: zprop(avail, String(avail), humanSize(avail), "NONE"),
    creation: zprop({ $date: d.created }, String(Math.floor(d.created / 1000)), new Date(d.created).toUTCString(), "NONE"),
    managedby: typeof d.props.managedby === "string" ? zprop(d.props.managedby, d.props.managedby, d.props.managedby, "LOCAL") : zprop("", "", "", "DEFAULT"),
  };
  for (const p of ["compression", "sync", "readonly", "deduplication", "exec", "checksum", "copies", "snapdev"]) props[p] = inherited(ctx, d, p);
  for (const p of ["reservation", "refreservation"]) props[p] = sizeProp(d.props[p]);
  if (d.type === "VOLUME") {
    const vs = Number(d.props.volsize ?? 0);
    const bs = String(d.props.volblocksize ?? "16K");
    props.volsize = zprop(vs, String(vs), humanSize(vs), "LOCAL");
    props.volblocksize = zprop(parseBlockSize(bs), String(parseBlockSize(bs)), bs, "DEFAULT");
    props.sparse = zprop(Boolean(d.props.sparse), String(Boolean(d.props.sparse)), String(Boolean(d.props.sparse)), "LOCAL");
  } else {
    for (const p of ["quota", "refquota"]) props[p] = sizeProp(d.props[p]);
    for (const p of ["atime", "snapdir", "recordsize", "aclmode", "acltype"]) props[p] = inherited(ctx, d, p);
    props.casesensitivity = zprop("sensitive", "sensitive", "SENSITIVE", "NONE");
  }
  const want = extra.properties as string[] | null | undefined;
  for (const [k, v] of Object.entries(props)) if (!Array.isArray(want) || want.includes(k)) out[k] = v;
  return out;
}

function applyProps(d: DatasetRecord, data: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(data)) {
    if (["name", "type", "create_ancestors", "force_size", "encryption", "encryption_options", "inherit_encryption", "user_properties", "user_properties_update", "share_type"].includes(k)) continue;
    if (v === "INHERIT" || v === undefined) delete d.props[k];
    else if (v === null && SIZE_PROPS.includes(k)) delete d.props[k];
    else d.props[k] = v;
  }
}

/**
 * Creates a dataset after the plugin checks (errors at `pool_dataset_create.*`); `data` is already
 * schema-validated (or built internally, e.g. by DISK `create_zvol`). Returns the record.
 */
export function createDataset(ctx: MethodCtx, data: Record<string, unknown>, givenKeys: string[] = Object.keys(data)): DatasetRecord {
  const w = ctx.sim.world;
  const name = data.name as string;
  const type = (data.type as "FILESYSTEM" | "VOLUME" | undefined) ?? "FILESYSTEM";
  const v = new Verrors();
  const s = "pool_dataset_create";
  const parent = parentOf(name);
  if (!parent) v.add(`${s}.name`, "You need a full name, e.g. pool/newdataset");
  else if (name.endsWith(" ")) v.add(`${s}.name`, "Trailing spaces are not permitted in dataset names");
  else if (!w.datasets.has(parent) && !data.create_ancestors) v.add(`${s}.name`, "Parent dataset does not exist for specified name", ERRNO.ENOENT);
  else if (w.datasets.get(parent)?.type === "VOLUME") v.add(`${s}.name`, "Parent dataset is a volume and cannot have children");
  if (!ctx.sim.p.pydantic) {
    for (const k of type === "VOLUME" ? FS_ONLY : VOL_ONLY) if (givenKeys.includes(k)) v.add(`${s}.${k}`, `This field is not valid for ${type}`);
    if (type === "VOLUME" && data.volsize === undefined) v.add(`${s}.volsize`, "This field is required for VOLUME");
  }
  if (type === "VOLUME" && typeof data.volsize === "number") {
    const bs = parseBlockSize(String(data.volblocksize ?? "16K"));
    if (data.volsize % bs !== 0) v.add(`${s}.volsize`, "Volume size should be a multiple of volume block size");
    else if (!data.sparse && !data.force_size && data.volsize > PoolSpace.of(ctx).available() * 0.8) {
      v.add(`${s}.volsize`, "It is not recommended to use more than 80% of your available space for VOLUME");
    }
  }
  if (w.datasets.has(name) && type === "FILESYSTEM") v.add(`${s}.name`, `Path /mnt/${name} already exists`, ERRNO.EEXIST);
  v.check();
  if (w.datasets.has(name)) throw new CallError(`Failed to create dataset: cannot create '${name}': dataset already exists`);
  const now = Date.now();
  const ancestors: string[] = [];
  for (let p = parent; p && !w.datasets.has(p); p = parentOf(p)) ancestors.unshift(p);
  for (const a of ancestors) w.datasets.set(a, { name: a, type: "FILESYSTEM", props: {}, userProperties: {}, created: now, createtxg: w.txg++ });
  const rec: DatasetRecord = { name, type, props: {}, userProperties: {}, created: now, createtxg: w.txg++ };
  if (type === "VOLUME") rec.props.volblocksize = data.volblocksize ?? "16K";
  applyProps(rec, data);
  for (const up of (data.user_properties ?? []) as { key: string; value: string }[]) rec.userProperties[up.key] = up.value;
  w.datasets.set(name, rec);
  w.touch();
  return rec;
}

/**
 * Destroys a dataset (and, when `recursive`, its children and snapshots; otherwise ENOTEMPTY when
 * any exist). With `attachments`, NFS shares and snapshot tasks under it are deleted and VMs using
 * its zvols are stopped first, as `pool.dataset.delete` does.
 */
export function destroyDataset(ctx: MethodCtx, name: string, recursive: boolean, attachments = false): void {
  const w = ctx.sim.world;
  const kids = [...w.datasets.keys()].filter((n) => n.startsWith(`${name}/`));
  const snaps = [...w.snapshots.keys()].filter((k) => k.startsWith(`${name}@`) || k.startsWith(`${name}/`));
  if ((kids.length || snaps.length) && !recursive) {
    throw new CallError(`Failed to delete dataset: cannot destroy '${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${[...kids, ...snaps].join("\n")}`, ERRNO.ENOTEMPTY);
  }
  if (attachments) {
    const mp = `/mnt/${name}`;
    for (const [id, share] of w.nfs) {
      const path = String(share.fields.path);
      if (path === mp || path.startsWith(`${mp}/`)) w.nfs.delete(id);
    }
    for (const [id, task] of w.snapshotTasks) {
      const ds = String(task.fields.dataset);
      if (ds === name || ds.startsWith(`${name}/`)) w.snapshotTasks.delete(id);
    }
    const zvols = new Set([name, ...kids].map((n) => `/dev/zvol/${n.replace(/ /g, "+")}`));
    for (const d of w.devices.values()) {
      const vm = w.vms.get(d.vm);
      if (d.dtype === "DISK" && vm && zvols.has(String(d.attributes.path)) && vm.state !== "STOPPED") {
        vm.state = "STOPPED";
        vm.pid = null;
      }
    }
  }
  for (const k of snaps) w.snapshots.delete(k);
  for (const k of kids) w.datasets.delete(k);
  w.datasets.delete(name);
  w.touch();
}

/** Registers `pool.*` and `pool.dataset.*`. */
export function registerDataset(t: MethodTable, p: Persona): void {
  t.set("pool.query", queryMethod((ctx) => {
    const used = PoolSpace.of(ctx).used("tank");
    return [{ id: 1, name: "tank", guid: "1234567890123456789", status: "ONLINE", healthy: true, warning: false, path: "/mnt/tank", size: ctx.sim.settings.poolSizeBytes, allocated: used, free: ctx.sim.settings.poolSizeBytes - used, is_decrypted: true }];
  }));
  t.set("pool.filesystem_choices", {
    call: (ctx, params) => {
      const types = Array.isArray(params[0]) ? (params[0] as string[]) : ["FILESYSTEM", "VOLUME"];
      return [...ctx.sim.world.datasets.values()].filter((d) => types.includes(d.type)).map((d) => d.name);
    },
  });
  t.set("pool.dataset.query", queryMethod((ctx, extra, filters) => {
    const space = PoolSpace.of(ctx);
    // render only the datasets the filters can match (filterList still applies them all)
    const ids = extra.flat === false ? undefined : wantedValues(filters, "id");
    const prefix = extra.flat === false ? undefined : wantedPrefix(filters, "id");
    const all = [...ctx.sim.world.datasets.values()].filter((d) => (!ids || ids.has(d.name)) && (prefix === undefined || d.name.startsWith(prefix)));
    const rows = all.sort((a, b) => (a.name < b.name ? -1 : 1)).map((d) => renderDataset(ctx, d, extra, space));
    if (extra.flat === false) {
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      const roots: Record<string, unknown>[] = [];
      for (const r of rows) {
        const parent = parentOf(r.id as string);
        const pr = parent ? byId.get(parent) : undefined;
        if (pr && extra.retrieve_children !== false) (pr.children as unknown[]).push(r);
        else if (!pr) roots.push(r);
      }
      return roots;
    }
    return rows;
  }));
  t.set("pool.dataset.get_instance", getInstanceMethod("PoolDataset", (ctx, id) => {
    const d = ctx.sim.world.datasets.get(id as string);
    return d && renderDataset(ctx, d);
  }, "str"));
  t.set("pool.dataset.create", {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const v = new Verrors();
      let data: Record<string, unknown>;
      if (p.pydantic) data = validateUnion(params[0], createUnion(), "data", v)?.value ?? {};
      else data = validateDict(params[0], createLegacy(), "pool_dataset_create", v, { pydantic: false });
      v.check();
      const given = typeof params[0] === "object" && params[0] !== null ? Object.keys(params[0]) : [];
      return renderDataset(ctx, createDataset(ctx, data, given));
    },
  });
  t.set("pool.dataset.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "data"], 1);
      const id = strArg(ctx, params[0]);
      const v = new Verrors();
      const data = validateDict(params[1] ?? {}, updateFields(), p.pydantic ? "data" : "pool_dataset_update", v, { pydantic: p.pydantic, partial: true });
      v.check();
      const d = ctx.sim.world.datasets.get(id);
      if (!d) throw instanceNotFound("PoolDataset", id);
      const s = "pool_dataset_update";
      for (const k of d.type === "VOLUME" ? FS_ONLY : VOL_ONLY) if (data[k] !== undefined && k !== "force_size") v.add(`${s}.${k}`, `This field is not valid for ${d.type}`);
      if (d.type === "VOLUME" && typeof data.volsize === "number") {
        const old = Number(d.props.volsize ?? 0);
        if (data.volsize < old) v.add(`${s}.volsize`, "You cannot shrink a zvol from GUI, this may lead to data loss.");
        else if (data.volsize % parseBlockSize(String(d.props.volblocksize ?? "16K")) !== 0) v.add(`${s}.volsize`, "Volume size should be a multiple of volume block size");
      }
      v.check();
      applyProps(d, data);
      for (const up of (data.user_properties_update ?? []) as { key: string; value?: string; remove?: boolean }[]) {
        if (up.remove) delete d.userProperties[up.key];
        else if (up.value !== undefined) d.userProperties[up.key] = up.value;
      }
      ctx.sim.world.touch();
      return renderDataset(ctx, d);
    },
  });
  t.set("pool.dataset.delete", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = strArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], p.pydantic ? "options" : "dataset_delete", { recursive: f.bool({ default: false }), force: f.bool({ default: false }) });
      if (!ctx.sim.world.datasets.has(id)) throw instanceNotFound("PoolDataset", id);
      if (!id.includes("/")) throw new CallError("Root datasets can not be deleted", ERRNO.EINVAL);
      destroyDataset(ctx, id, opts.recursive as boolean, true);
      return true;
    },
  });
}
