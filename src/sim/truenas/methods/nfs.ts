/**
 * `sharing.nfs.*` and `nfs.config`/`nfs.update` (reference §6.1): the single `path` field (a list
 * `paths` is rejected as an unexpected/extra field), `expose_snapshots` and non-null `comment` on
 * 25.04+, path/host/network/maproot checks, export conflicts, and the delete result per version.
 */
import { ERRNO, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateDict, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import type { NfsRecord } from "../world.js";
import { arity, getInstanceMethod, intArg, queryMethod } from "./common.js";

const USERS = ["root", "nobody", "truenas_admin", "www-data"];
const GROUPS = ["root", "wheel", "nogroup", "truenas_admin", "www-data"];

function shareFields(p: Persona): Fields {
  const fields: Fields = {
    path: f.str({ required: true }),
    aliases: f.list({ default: [], items: { t: "str" } }),
    comment: f.str({ default: "", null: !p.nfsExposeSnapshots }),
    networks: f.list({ default: [], items: { t: "str" } }),
    hosts: f.list({ default: [], items: { t: "str" } }),
    ro: f.bool({ default: false }),
    maproot_user: f.str({ null: true, default: null }),
    maproot_group: f.str({ null: true, default: null }),
    mapall_user: f.str({ null: true, default: null }),
    mapall_group: f.str({ null: true, default: null }),
    security: f.list({ default: [], items: { t: "str", enum: ["SYS", "KRB5", "KRB5I", "KRB5P"] } }),
    enabled: f.bool({ default: true }),
  };
  if (p.nfsExposeSnapshots) fields.expose_snapshots = f.bool({ default: false });
  return fields;
}

function validCidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s);
  if (m) return m.slice(1, 5).every((x) => Number(x) <= 255) && (m[5] === undefined || Number(m[5]) <= 32);
  return /^[0-9a-fA-F:]+(\/\d{1,3})?$/.test(s) && s.includes(":");
}

function plugin(ctx: MethodCtx, data: Record<string, unknown>, schema: string, selfId: number | null): void {
  const w = ctx.sim.world;
  const v = new Verrors();
  const path = data.path as string;
  const ds = path.startsWith("/mnt/") ? w.datasets.get(path.slice(5).replace(/\/+$/, "")) : undefined;
  if (!path.startsWith("/mnt/")) v.add(`${schema}.path`, "Path must reside within a pool mount point");
  else if (!ds || ds.type !== "FILESYSTEM") v.add(`${schema}.path`, "Path does not exist.", ERRNO.ENOENT);
  const networks = data.networks as string[];
  const hosts = data.hosts as string[];
  networks.forEach((n, i) => {
    if (!validCidr(n)) v.add(`${schema}.networks.${i}`, `Invalid IP or network: ${n}`);
  });
  if (new Set(networks).size !== networks.length) v.add(`${schema}.networks`, "Entries must be unique");
  hosts.forEach((h, i) => {
    if (/[\s"']/.test(h)) v.add(`${schema}.hosts.${i}`, "Cannot contain spaces or quotes");
  });
  if (new Set(hosts).size !== hosts.length) v.add(`${schema}.hosts`, "Entries must be unique");
  for (const k of ["maproot", "mapall"]) {
    const user = data[`${k}_user`] as string | null;
    const group = data[`${k}_group`] as string | null;
    if (group && !user) v.add(`${schema}.${k}_group`, `This field requires ${k}_user`);
    if (user && !USERS.includes(user)) v.add(`${schema}.${k}_user`, "User not found", ERRNO.ENOENT);
    if (group && !GROUPS.includes(group)) v.add(`${schema}.${k}_group`, "Group not found", ERRNO.ENOENT);
  }
  if (data.maproot_user && data.mapall_user) v.add(`${schema}.mapall_user`, "maproot_user disqualifies mapall_user");
  for (const other of w.nfs.values()) {
    if (other.id === selfId || other.fields.path !== path) continue;
    const common = [...(other.fields.hosts as string[]).filter((h) => hosts.includes(h)), ...(other.fields.networks as string[]).filter((n) => networks.includes(n))];
    if (common.length) v.add(`${schema}.path`, `ERROR - Export conflict. Another share with the same path exports to ${common.map((c) => `'${c}'`).join(", ")}`);
  }
  v.check();
}

function render(r: NfsRecord): Record<string, unknown> {
  return { id: r.id, ...r.fields, locked: false };
}

/** Registers `sharing.nfs.*`, `nfs.config`, `nfs.update`. */
export function registerNfs(t: MethodTable, p: Persona): void {
  const argName = p.pydantic ? "data" : "sharingnfs_create";
  t.set("sharing.nfs.query", queryMethod((ctx) => [...ctx.sim.world.nfs.values()].map(render)));
  t.set("sharing.nfs.get_instance", getInstanceMethod("SharingNFS", (ctx, id) => {
    const r = ctx.sim.world.nfs.get(id as number);
    return r && render(r);
  }));
  t.set("sharing.nfs.create", {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const v = new Verrors();
      const data = validateDict(params[0], shareFields(p), argName, v, { pydantic: p.pydantic });
      v.check();
      plugin(ctx, data, "sharingnfs_create", null);
      const r: NfsRecord = { id: ctx.sim.world.nextId("nfs"), fields: data };
      ctx.sim.world.nfs.set(r.id, r);
      ctx.sim.world.touch();
      return render(r);
    },
  });
  t.set("sharing.nfs.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "data"], 1);
      const id = intArg(ctx, params[0]);
      const v = new Verrors();
      const patch = validateDict(params[1] ?? {}, shareFields(p), p.pydantic ? "data" : "sharingnfs_update", v, { pydantic: p.pydantic, partial: true });
      v.check();
      const r = ctx.sim.world.nfs.get(id);
      if (!r) throw instanceNotFound("SharingNFS", id);
      const merged = { ...r.fields, ...patch };
      plugin(ctx, merged, "sharingnfs_update", id);
      r.fields = merged;
      ctx.sim.world.touch();
      return render(r);
    },
  });
  t.set("sharing.nfs.delete", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const id = intArg(ctx, params[0]);
      if (!ctx.sim.world.nfs.delete(id)) throw instanceNotFound("SharingNFS", id);
      ctx.sim.world.touch();
      return p.nfsDeleteReturnsTrue ? true : null;
    },
  });
  t.set("nfs.config", { call: (ctx) => ({ id: 1, ...ctx.sim.world.nfsConfig }) });
  t.set("nfs.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["data"], 1);
      const patch = (params[0] ?? {}) as Record<string, unknown>;
      const v = new Verrors();
      for (const k of Object.keys(patch)) if (!(k in ctx.sim.world.nfsConfig)) v.add(`${p.pydantic ? "data" : "nfs_update"}.${k}`, p.pydantic ? "Extra inputs are not permitted" : "Field was not expected");
      v.check();
      Object.assign(ctx.sim.world.nfsConfig, patch);
      ctx.sim.world.touch();
      return { id: 1, ...ctx.sim.world.nfsConfig };
    },
  });
}
