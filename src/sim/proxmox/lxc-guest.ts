import type { SimContext } from "./context.js";
import { configDigest, pendingApplied } from "./config-file.js";
import { fail } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import { mountType } from "./lxc-schema.js";
import type { Conf, VmRecord } from "./world.js";

/**
 * Containers in the world: lookup with PVE's texts (`Configuration file 'nodes/<node>/lxc/<id>.conf'
 * does not exist`, `CT is locked (…)`), the API view of a config, and the volumes a config uses.
 */

/** The 500 for a container whose config is not on the addressed node. */
export function noSuchCt(node: string, vmid: number): never {
  fail(`Configuration file 'nodes/${node}/lxc/${vmid}.conf' does not exist`);
}

/** The container `vmid` on `node` (a QEMU VM with that id is "no such container", as in PVE). */
export function ctOf(sim: SimContext, node: string, vmid: number): VmRecord {
  sim.checkNode(node);
  const ct = sim.world.vms[vmid];
  if (!ct || ct.node !== node || ct.type !== "lxc") noSuchCt(node, vmid);
  return ct;
}

/** True while `ct` is still the container in the world (a worker checks this after waiting). */
export function stillThere(sim: SimContext, ct: VmRecord): boolean {
  return sim.world.vms[ct.vmid] === ct;
}

/** AbstractConfig `check_lock` worded for containers. `mounted` is tolerated where PVE does (start/stop). */
export function checkCtLock(ct: VmRecord, opts: { skiplock?: boolean; allowMounted?: boolean } = {}): void {
  const lock = ct.conf.lock;
  if (lock === undefined || opts.skiplock) return;
  if (opts.allowMounted && lock === "mounted") return;
  fail(`CT is locked (${lock})`);
}

/** The description as `GET …/config` returns it: every stored line followed by a newline. */
function describe(conf: Conf): Conf {
  if (conf.description === undefined || conf.description === "") return conf;
  return { ...conf, description: `${String(conf.description)}\n` };
}

/** `GET …/config`: active (`current`) or pending-applied options plus `digest`. */
export function ctConfigView(ct: VmRecord, current: boolean): Record<string, unknown> {
  return { ...describe(current ? { ...ct.conf } : pendingApplied(ct)), digest: configDigest(ct) };
}

/** `GET …/config?snapshot=`: the snapshot's options. */
export function ctSnapshotView(ct: VmRecord, name: string): Record<string, unknown> {
  const snap = ct.snapshots[name];
  if (!snap) fail(`snapshot '${name}' does not exist`);
  return { ...describe(snap.conf), snaptime: snap.snaptime, ...(snap.parent ? { parent: snap.parent } : {}), digest: configDigest(ct) };
}

/** Storage volumes a config section references (rootfs, volume mount points, unusedN), by key. */
export function ctVolumes(conf: Conf): Array<{ key: string; volid: string }> {
  const out: Array<{ key: string; volid: string }> = [];
  for (const [key, value] of Object.entries(conf)) {
    if (/^unused\d+$/.test(key)) out.push({ key, volid: String(value) });
    else if (key === "rootfs" || /^mp\d+$/.test(key)) {
      const volume = parsePropertyString(String(value), "volume").volume ?? "";
      if (mountType(volume) === "volume" && volume.includes(":")) out.push({ key, volid: volume });
    }
  }
  return out;
}

/** Every volume `ct` references anywhere in its config file (active, pending, snapshots). */
export function allCtVolumes(ct: VmRecord): Set<string> {
  const set = new Set<string>();
  for (const conf of [ct.conf, ct.pending, ...Object.values(ct.snapshots).map((s) => s.conf)]) for (const v of ctVolumes(conf)) set.add(v.volid);
  return set;
}

/** Adds `volid` as the lowest free `unusedN` (PVE `add_unused_volume`). */
export function addUnused(conf: Conf, volid: string): void {
  let n = 0;
  while (conf[`unused${n}`] !== undefined) n++;
  conf[`unused${n}`] = volid;
}
