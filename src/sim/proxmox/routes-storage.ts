import { createHash } from "node:crypto";
import type { SimContext } from "./context.js";
import { fail, paramError } from "./errors.js";
import type { Router } from "./router.js";
import { P, str, validate, type ParamDef } from "./schema.js";
import { volumeContent } from "./lxc-templates.js";
import { isShared, STORAGE_TYPES, typeInfo } from "./volumes.js";
import type { StorageConfig } from "./world.js";

/**
 * Storage configuration (`/storage` CRUD, incl. NFS with server/export/content/options) and per-node
 * status/content (`/nodes/{node}/storage…`), with PVE's texts for duplicates, fixed parameters and
 * digest mismatches.
 */

const STORAGE_ID: ParamDef = { type: "string", pattern: /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i };
const TYPES = ["btrfs", "cephfs", "cifs", "dir", "esxi", "iscsi", "iscsidirect", "lvm", "lvmthin", "nfs", "pbs", "rbd", "zfs", "zfspool"];
const COMMON: Record<string, ParamDef> = {
  content: P.optStr, nodes: P.optStr, disable: P.optBool, shared: P.optBool, path: P.optStr, server: P.optStr,
  export: P.optStr, options: P.optStr, format: { type: "string", optional: true, enum: ["raw", "qcow2", "vmdk", "subvol"] },
  thinpool: P.optStr, vgname: P.optStr, pool: P.optStr, share: P.optStr, username: P.optStr, password: P.optStr,
  domain: P.optStr, subdir: P.optStr, "prune-backups": P.optStr, "max-protected-backups": P.optInt, preallocation: P.optStr,
  bwlimit: P.optStr, "create-base-path": P.optBool, "create-subdirs": P.optBool, mkdir: P.optBool, is_mountpoint: P.optStr,
  "snapshot-as-volume-chain": P.optBool, sparse: P.optBool, blocksize: P.optStr, krbd: P.optBool, monhost: P.optStr,
};
const REQUIRED: Record<string, string[]> = { nfs: ["server", "export"], dir: ["path"], lvmthin: ["thinpool", "vgname"], lvm: ["vgname"], cifs: ["server", "share"], zfspool: ["pool"], rbd: ["pool"], btrfs: ["path"] };
const FIXED = ["type", "server", "export", "path", "vgname", "thinpool", "pool", "share", "subdir", "snapshot-as-volume-chain"];
const CAPACITY: Record<string, number> = { lvmthin: 500 * 1024 ** 3, dir: 100 * 1024 ** 3, nfs: 1024 ** 4, cifs: 1024 ** 4 };

/** SHA-1 over the whole storage.cfg (the same `digest` on every entry, as PVE reports it). */
export function storageDigest(sim: SimContext): string {
  const ids = Object.keys(sim.world.storages).sort();
  return createHash("sha1").update(JSON.stringify(ids.map((id) => sim.world.storages[id]))).digest("hex");
}

function view(sim: SimContext, cfg: StorageConfig, digest: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg, digest };
  if (isShared(cfg)) out.shared = 1;
  return out;
}

function checkContent(type: string, content: string | undefined): string | undefined {
  if (content === undefined) return undefined;
  const allowed = (STORAGE_TYPES[type] ?? STORAGE_TYPES.dir!).contents;
  const list = content.split(/[,;\s]+/).filter(Boolean);
  const bad = list.find((c) => !allowed.includes(c));
  if (bad) paramError({ content: `storage does not support content type '${bad}'` });
  return [...new Set(list)].sort().join(",");
}

/** Per-node status entries of the storages enabled on `node` (total/used from allocated volumes). */
export function storageEntries(sim: SimContext, node: string): Array<Record<string, string | number> & { storage: string; type: string }> {
  const used = new Map<string, number>();
  for (const v of Object.values(sim.world.volumes)) {
    if (v.node !== null && v.node !== node) continue;
    used.set(v.storage, (used.get(v.storage) ?? 0) + v.size);
  }
  const out: Array<Record<string, string | number> & { storage: string; type: string }> = [];
  for (const id of Object.keys(sim.world.storages).sort()) {
    const cfg = sim.world.storages[id]!;
    if (cfg.nodes && !String(cfg.nodes).split(",").includes(node)) continue;
    const enabled = Number(cfg.disable ?? 0) === 1 ? 0 : 1;
    const total = CAPACITY[String(cfg.type)] ?? 200 * 1024 ** 3;
    const u = used.get(id) ?? 0;
    out.push({
      storage: id, type: String(cfg.type), content: String(cfg.content ?? ""), active: enabled, enabled,
      shared: isShared(cfg) ? 1 : 0, total, used: u, avail: total - u, used_fraction: u / total,
    });
  }
  return out;
}

/** Registers `/storage` and `/nodes/{node}/storage…` routes. */
export function registerStorageRoutes(router: Router): void {
  router.add("GET", "/storage", ({ sim, input }) => {
    const p = validate(input, { props: { type: { type: "string", optional: true, enum: TYPES } } });
    const digest = storageDigest(sim);
    return Object.values(sim.world.storages).filter((s) => !p.type || s.type === p.type).map((s) => view(sim, s, digest));
  });
  router.add("GET", "/storage/{storage}", ({ sim, input }) => {
    const id = String(input.storage);
    const cfg = sim.storage(id);
    if (!cfg) fail(`storage '${id}' does not exist`);
    return view(sim, cfg, storageDigest(sim));
  });
  router.add("POST", "/storage", ({ sim, input }) => {
    const p = validate(input, { props: { ...COMMON, storage: STORAGE_ID, type: { type: "string", enum: TYPES } } });
    const id = str(p, "storage")!;
    const type = str(p, "type")!;
    const missing = (REQUIRED[type] ?? []).filter((k) => p[k] === undefined);
    if (missing.length > 0) paramError(Object.fromEntries(missing.map((k) => [k, "property is missing and it is not optional"])));
    if (sim.storage(id)) fail(`create storage failed: storage ID '${id}' already defined`);
    const cfg: StorageConfig = { storage: id, type };
    for (const [k, v] of Object.entries(p)) if (k !== "storage" && k !== "type") cfg[k] = Array.isArray(v) ? v.join(",") : v;
    cfg.content = checkContent(type, str(p, "content")) ?? (typeInfo(cfg).file ? "images" : "images,rootdir");
    if (type === "nfs" || type === "cifs") cfg.path = cfg.path ?? `/mnt/pve/${id}`;
    sim.world.storages[id] = cfg;
    sim.changed();
    return { storage: id, type };
  });
  router.add("PUT", "/storage/{storage}", ({ sim, input }) => {
    const p = validate(input, { props: { ...COMMON, storage: STORAGE_ID, delete: P.optStr, digest: { type: "string", optional: true, maxLength: 64 } } });
    const id = str(p, "storage")!;
    const cfg = sim.storage(id);
    if (!cfg) fail(`storage '${id}' does not exist`);
    if (p.digest !== undefined && p.digest !== storageDigest(sim)) fail("detected modified configuration - file changed by other user? Try again.");
    const type = String(cfg.type);
    for (const k of FIXED) {
      if (p[k] !== undefined && String(p[k]) !== String(cfg[k] ?? "")) fail(`can't change value of fixed parameter '${k}'`);
    }
    const next: StorageConfig = { ...cfg };
    for (const k of (str(p, "delete") ?? "").split(/[,;\s]+/).filter(Boolean)) {
      if ((REQUIRED[type] ?? []).includes(k)) fail(`unable to delete required option '${k}'`);
      if (FIXED.includes(k)) fail(`unable to delete fixed option '${k}'`);
      delete next[k];
    }
    for (const [k, v] of Object.entries(p)) {
      if (["storage", "delete", "digest"].includes(k)) continue;
      next[k] = k === "content" ? checkContent(type, String(v))! : Array.isArray(v) ? v.join(",") : v;
    }
    sim.world.storages[id] = next;
    sim.changed();
    return { storage: id, type };
  });
  router.add("DELETE", "/storage/{storage}", ({ sim, input }) => {
    const id = String(input.storage);
    if (!sim.storage(id)) fail(`storage '${id}' does not exist`);
    delete sim.world.storages[id];
    sim.changed();
    return null;
  });
  router.add("GET", "/nodes/{node}/storage", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, content: P.optStr, enabled: P.optBool, storage: P.optStr, format: P.optBool, target: P.optStr } });
    const node = str(p, "node")!;
    sim.checkNode(node);
    const wanted = str(p, "content")?.split(",");
    return storageEntries(sim, node).filter((s) => {
      if (p.enabled === 1 && s.enabled !== 1) return false;
      if (p.storage !== undefined && s.storage !== p.storage) return false;
      if (wanted && !wanted.some((c) => String(s.content).split(",").includes(c))) return false;
      return true;
    });
  });
  router.add("GET", "/nodes/{node}/storage/{storage}/status", ({ sim, input }) => {
    const node = String(input.node);
    sim.checkNode(node);
    const entry = storageEntries(sim, node).find((s) => s.storage === input.storage);
    if (!entry) paramError({ storage: "No such storage." });
    const { storage: _s, used_fraction: _f, ...rest } = entry;
    return rest;
  });
  router.add("GET", "/nodes/{node}/storage/{storage}/content", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, storage: STORAGE_ID, content: P.optStr, vmid: { ...P.vmid, optional: true } } });
    const node = str(p, "node")!;
    sim.checkNode(node);
    const id = str(p, "storage")!;
    if (!storageEntries(sim, node).some((s) => s.storage === id)) paramError({ storage: "No such storage." });
    return Object.values(sim.world.volumes)
      .filter((v) => v.storage === id && (v.node === null || v.node === node))
      .filter((v) => p.vmid === undefined || v.vmid === p.vmid)
      .map((v) => ({ volid: v.volid, format: v.format, size: v.size, ctime: v.ctime, content: volumeContent(sim.world, v), ...(v.vmid ? { vmid: v.vmid, used: v.size } : {}) }))
      .filter((v) => p.content === undefined || v.content === p.content);
  });
}
