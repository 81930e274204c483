import { canonicalValue, type CanonicalContext } from "./canonical.js";
import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import { isDriveKey, isHotpluggable } from "./vm-schema.js";
import { findVolume, freeVolume } from "./volumes.js";
import type { ConfValue, VmRecord } from "./world.js";

/**
 * PVE's config update semantics (qemu-server `update_vm_api`): every change goes to `[PENDING]`
 * first (canonicalised, allocating new disks), entries equal to the active value are dropped, then a
 * stopped guest gets everything applied while a running one gets only the hot-pluggable part; the
 * rest waits for the next start or reboot. Replaced or detached disks become `unusedN`.
 */
export interface UpdateRequest {
  set: Record<string, ConfValue>;
  delete: string[];
  revert: string[];
  force: boolean;
  storage?: string;
}

/** The volume a drive value refers to, or undefined for cdrom/none/paths. */
function driveVolume(value: ConfValue | undefined): { volid: string; cdrom: boolean; cloudinit: boolean } | undefined {
  if (value === undefined) return undefined;
  const d = parsePropertyString(String(value), "file");
  const file = d.file ?? "";
  if (file === "none" || file === "cdrom" || file.startsWith("/") || !file.includes(":")) return undefined;
  return { volid: file, cdrom: d.media === "cdrom" && !/cloudinit/.test(file), cloudinit: /-cloudinit(\.\w+)?$/.test(file) };
}

/** Adds `volid` as the lowest free `unusedN`. */
function addUnused(vm: VmRecord, volid: string): void {
  let n = 0;
  while (vm.conf[`unused${n}`] !== undefined) n++;
  vm.conf[`unused${n}`] = volid;
}

/** Detaches the volume of an old drive value: cloud-init and forced removals are freed, disks become unused. */
function releaseDrive(sim: SimContext, vm: VmRecord, old: ConfValue | undefined, destroy: boolean, keepVolid?: string): void {
  const vol = driveVolume(old);
  if (!vol || vol.cdrom || vol.volid === keepVolid) return;
  if (vol.cloudinit || destroy) freeVolume(sim, vol.volid, vm.node);
  else if (findVolume(sim, vol.volid, vm.node)) addUnused(vm, vol.volid);
}

/** Writes the request into `[PENDING]` and applies what the run state allows. Dies on allocation errors. */
export function updateVm(sim: SimContext, vm: VmRecord, req: UpdateRequest): void {
  checkBootOrder(vm, req);
  const ctx: CanonicalContext = { sim, vmid: vm.vmid, node: vm.node, ...(req.storage ? { storage: req.storage } : {}) };
  for (const key of req.revert) {
    delete vm.pending[key];
    delete vm.pendingDelete[key];
  }
  for (const raw of req.delete) {
    const key = raw === "cdrom" ? "ide2" : raw;
    if (vm.pending[key] !== undefined) {
      const vol = driveVolume(vm.pending[key]);
      if (vol && vol.volid !== driveVolume(vm.conf[key])?.volid && !vol.cdrom) freeVolume(sim, vol.volid, vm.node);
      delete vm.pending[key];
    }
    if (vm.conf[key] !== undefined) vm.pendingDelete[key] = req.force ? 1 : 0;
  }
  for (const [key, value] of Object.entries(req.set)) {
    const canonical = canonicalValue(ctx, key, value);
    const prevPending = driveVolume(vm.pending[key]);
    if (prevPending && prevPending.volid !== driveVolume(canonical)?.volid && prevPending.volid !== driveVolume(vm.conf[key])?.volid) {
      freeVolume(sim, prevPending.volid, vm.node);
    }
    vm.pending[key] = canonical;
    delete vm.pendingDelete[key];
  }
  for (const key of Object.keys(vm.pending)) {
    if (vm.conf[key] !== undefined && String(vm.conf[key]) === String(vm.pending[key])) delete vm.pending[key];
  }
  applyPending(sim, vm, vm.running);
}

/** Applies pending changes: all of them, or (`hotOnly`) just the hot-pluggable ones. */
export function applyPending(sim: SimContext, vm: VmRecord, hotOnly: boolean): void {
  const hotplug = vm.conf.hotplug;
  for (const key of Object.keys(vm.pendingDelete)) {
    if (hotOnly && !isHotpluggable(key, hotplug)) continue;
    const force = vm.pendingDelete[key] === 1;
    const old = vm.conf[key];
    delete vm.conf[key];
    delete vm.pendingDelete[key];
    if (/^unused\d+$/.test(key) && old !== undefined) freeVolume(sim, String(old), vm.node);
    else if (isDriveKey(key)) releaseDrive(sim, vm, old, force);
  }
  for (const key of Object.keys(vm.pending)) {
    if (hotOnly && !isHotpluggable(key, hotplug)) continue;
    const value = vm.pending[key]!;
    const old = vm.conf[key];
    vm.conf[key] = value;
    delete vm.pending[key];
    if (isDriveKey(key)) releaseDrive(sim, vm, old, false, driveVolume(value)?.volid);
  }
}

/** Dies with PVE's text when `boot: order=` would name a device the resulting config lacks. */
export function checkBootOrder(vm: VmRecord, req: UpdateRequest): void {
  const deleted = new Set(req.delete.map((k) => (k === "cdrom" ? "ide2" : k)));
  if (!("boot" in req.set)) return;
  const boot = req.set.boot;
  const order = /(?:^|,)order=([^,]*)/.exec(String(boot ?? ""))?.[1];
  if (!order) return;
  for (const dev of order.split(";").filter(Boolean)) {
    const present = (req.set[dev] ?? vm.pending[dev] ?? vm.conf[dev]) !== undefined && !deleted.has(dev);
    if (!present) fail(`invalid bootorder: device '${dev}' does not exist'`);
  }
}
