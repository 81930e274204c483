import type { SimContext } from "./context.js";
import { errorText, fail, paramError } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import { canonicalCtNet, canonicalMount, ctTags, NEW_CT_DISK_RE, storedDescription, type CtMountContext } from "./lxc-canonical.js";
import { addUnused, ctVolumes } from "./lxc-guest.js";
import { FASTPLUG, isHotDelete, isHotSet, mountType } from "./lxc-schema.js";
import { freeVolume, storageOf } from "./volumes.js";
import type { Conf, ConfValue, VmRecord, VolumeRecord } from "./world.js";

/**
 * pve-container's config update (`update_pct_config`): changes go to `[pve:pending]` (tags
 * normalised, mount points checked), entries equal to the active value are dropped, then a stopped
 * container gets everything applied (`vmconfig_apply_pending`: new volumes allocated, replaced or
 * removed volumes kept as `unusedN`, NICs printed with their MAC) while a running one gets only what
 * it can take now (`vmconfig_hotplug_pending`: fastplug options, cpu limits, memory/swap, NICs and
 * *new* mount points); the rest waits for the next start or reboot. Per-option failures are
 * collected; with any, nothing is written (PVE raises them as a 400 before writing the config).
 */
export interface CtUpdate {
  set: Record<string, ConfValue>;
  delete: string[];
  revert: string[];
}

/** A working copy of a container's config sections, committed only when the whole update succeeds. */
interface Draft {
  vmid: number;
  node: string;
  conf: Conf;
  pending: Conf;
  pendingDelete: Record<string, 0 | 1>;
  snapshots: VmRecord["snapshots"];
  /** Volumes allocated while applying (freed when the update fails). */
  allocated: VolumeRecord[];
  /** Volumes to free once the update is committed (deleted unusedN). */
  toFree: string[];
}

function draftOf(ct: VmRecord): Draft {
  return { vmid: ct.vmid, node: ct.node, conf: { ...ct.conf }, pending: { ...ct.pending }, pendingDelete: { ...ct.pendingDelete }, snapshots: ct.snapshots, allocated: [], toFree: [] };
}

function commit(sim: SimContext, ct: VmRecord, d: Draft): void {
  ct.conf = d.conf;
  ct.pending = d.pending;
  ct.pendingDelete = d.pendingDelete;
  for (const volid of d.toFree) freeVolume(sim, volid, ct.node);
}

function rollback(sim: SimContext, d: Draft): void {
  for (const v of d.allocated) freeVolume(sim, v.volid, d.node);
}

/** PVE `is_volume_in_use` with snapshots and pending: any mount point still names `volid`. */
function inUse(d: Draft, volid: string): boolean {
  return [d.conf, d.pending, ...Object.values(d.snapshots).map((s) => s.conf)].some((conf) => ctVolumes(conf).some((v) => v.volid === volid && !/^unused/.test(v.key)));
}

function checkProtection(conf: Conf, vmid: number, key: string, verb: "update" | "remove"): void {
  if (Number(conf.protection ?? 0) === 1) fail(`can't ${verb} CT ${vmid} drive '${key}' - protection mode enabled`);
}

/** Validates and writes the request into `[pve:pending]` of the draft (PVE's first half of update_pct_config). */
function writePending(sim: SimContext, d: Draft, req: CtUpdate): Set<string> {
  const modified = new Set<string>();
  for (const key of req.revert) {
    delete d.pending[key];
    delete d.pendingDelete[key];
  }
  for (const key of req.delete) {
    if (d.conf[key] === undefined && d.pending[key] === undefined) continue; // PVE warns "cannot delete … not set"
    modified.add(key);
    if (["memory", "rootfs", "ostype"].includes(key)) fail(`unable to delete required option '${key}'`);
    if (/^(unused|mp)\d+$/.test(key)) checkProtection(d.conf, d.vmid, key, "remove");
    if (key === "unprivileged") fail(`unable to delete read-only option: '${key}'`);
    delete d.pending[key];
    d.pendingDelete[key] = 0;
  }
  for (const key of Object.keys(req.set).sort()) {
    modified.add(key);
    let value = req.set[key]!;
    if (key === "rootfs" || /^mp\d+$/.test(key)) {
      checkProtection(d.conf, d.vmid, key, "update");
      const volume = parsePropertyString(String(value), "volume").volume ?? "";
      if (mountType(volume) === "volume") {
        const sid = NEW_CT_DISK_RE.exec(volume)?.[1] ?? storageOf(volume);
        if (!sim.storage(sid)) fail(`storage '${sid}' does not exist`);
        if (!sim.contentOf(sid).includes("rootdir")) fail(`storage '${sid}' does not allow content type 'rootdir' (Container)`);
      }
    } else if (key === "unprivileged") fail(`unable to modify read-only option: '${key}'`);
    else if (key === "tags") value = ctTags(String(value));
    else if (key === "description") value = storedDescription(String(value));
    d.pending[key] = value;
    delete d.pendingDelete[key];
  }
  for (const key of Object.keys(d.pending)) if (d.conf[key] !== undefined && String(d.conf[key]) === String(d.pending[key])) delete d.pending[key];
  return modified;
}

/** Applies the pending mount point `key` (PVE `apply_pending_mountpoint`); "skip" when a running container cannot take it. */
function applyMount(sim: SimContext, d: Draft, key: string, running: boolean): "done" | "skip" {
  const value = String(d.pending[key]);
  const old = d.conf[key];
  const isNew = NEW_CT_DISK_RE.test(parsePropertyString(value, "volume").volume ?? "");
  if (!isNew && running && old !== undefined) return "skip";
  const c: CtMountContext = { sim, vmid: d.vmid, node: d.node, create: false, allocated: d.allocated };
  d.pending[key] = canonicalMount(c, key, value);
  if (old !== undefined) {
    const vol = parsePropertyString(String(old), "volume").volume ?? "";
    d.conf[key] = d.pending[key]!;
    if (mountType(vol) === "volume" && !inUse(d, vol)) addUnused(d.conf, vol);
  }
  return "done";
}

/**
 * Applies pending changes of `selection` (all when undefined): everything (`hotOnly` false, a
 * stopped container or a start), or only what a running container takes. Returns the per-option
 * errors, worded as PVE does.
 */
function applyDraft(sim: SimContext, d: Draft, hotOnly: boolean, selection?: Set<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  const wanted = (k: string) => !selection || selection.has(k);
  const attempt = (key: string, fn: () => "done" | "skip" | void) => {
    try {
      return fn() ?? "done";
    } catch (err) {
      errors[key] = hotOnly ? `unable to hotplug ${key}: ${errorText(err)}` : `unable to apply pending change ${key} : ${errorText(err)}`;
      return "skip";
    }
  };
  for (const key of Object.keys(d.pendingDelete).sort()) {
    if (!wanted(key) || (hotOnly && !isHotDelete(key))) continue;
    const done = attempt(key, () => {
      const old = d.conf[key];
      if (/^unused\d+$/.test(key) && old !== undefined && !inUse(d, String(old))) d.toFree.push(String(old));
      if (/^mp\d+$/.test(key) && old !== undefined) {
        const vol = parsePropertyString(String(old), "volume").volume ?? "";
        delete d.conf[key];
        if (mountType(vol) === "volume" && !inUse(d, vol)) addUnused(d.conf, vol);
      }
    });
    if (done === "done") {
      delete d.conf[key];
      delete d.pendingDelete[key];
    }
  }
  for (const key of Object.keys(d.pending).sort()) {
    if (!wanted(key)) continue;
    if (hotOnly && !FASTPLUG.has(key) && !isHotSet(key)) continue;
    const done = attempt(key, () => {
      if (/^mp\d+$/.test(key) || key === "rootfs") return applyMount(sim, d, key, hotOnly);
      if (/^dev\d+$/.test(key) && hotOnly && d.conf[key] !== undefined) return "skip";
      if (/^net\d+$/.test(key)) d.pending[key] = canonicalCtNet(sim, String(d.pending[key]));
      return "done";
    });
    if (done === "done") {
      d.conf[key] = d.pending[key]!;
      delete d.pending[key];
    }
  }
  return errors;
}

/** `PUT …/config`: writes the update and applies what the run state allows; 400 with per-option errors. */
export function updateCt(sim: SimContext, ct: VmRecord, req: CtUpdate): void {
  const d = draftOf(ct);
  const modified = writePending(sim, d, req);
  const errors = applyDraft(sim, d, ct.running, modified);
  if (Object.keys(errors).length > 0) {
    rollback(sim, d);
    paramError(errors);
  }
  commit(sim, ct, d);
}

/** Applies every pending change (container start, reboot). Errors are logged by PVE, not fatal: returned for the task log. */
export function applyCtPending(sim: SimContext, ct: VmRecord): string[] {
  const d = draftOf(ct);
  const errors = applyDraft(sim, d, false);
  commit(sim, ct, d);
  return Object.values(errors);
}
