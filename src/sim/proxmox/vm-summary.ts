import { parsePropertyString, parseSize } from "./property-string.js";
import type { Conf, VmRecord } from "./world.js";
import { isDriveKey } from "./vm-schema.js";

/** Host CPU count of every simulated node (caps `cpus`). */
export const NODE_CPUS = 16;
/** Host memory of every simulated node, bytes. */
export const NODE_MEM = 128 * 1024 ** 3;

/**
 * The live status figures PVE's `vmstatus` computes from a guest config and its run state — shared by
 * `/nodes/{node}/qemu`, `status/current` and the `/cluster/resources` (RRD) view.
 */
export interface VmSummary {
  vmid: number;
  status: "running" | "stopped";
  name: string;
  cpus: number;
  maxmem: number;
  maxdisk: number;
  uptime: number;
  template: 0 | 1;
  tags?: string;
  lock?: string;
}

/** Memory in MiB from the `memory` property string (default 512). */
export function memoryMiB(conf: Conf): number {
  const raw = conf.memory;
  if (raw === undefined) return 512;
  const m = parsePropertyString(String(raw), "current");
  return Number(m.current ?? 512);
}

/** Bytes of the boot disk: the first disk of `boot: order=…`, else the first non-cdrom drive. */
export function bootDiskSize(conf: Conf): number {
  const order = /order=([^,]+)/.exec(String(conf.boot ?? ""))?.[1]?.split(";") ?? [];
  const keys = [...order, ...Object.keys(conf).filter(isDriveKey).sort()];
  for (const key of keys) {
    const value = conf[key];
    if (value === undefined || !isDriveKey(key)) continue;
    const d = parsePropertyString(String(value), "file");
    if (d.media === "cdrom") continue;
    return parseSize(d.size ?? "0") ?? 0;
  }
  return 0;
}

/** Computes the summary of `vm` now. */
export function summarise(vm: VmRecord): VmSummary {
  const c = vm.conf;
  const cores = Number(c.cores ?? 1) * Number(c.sockets ?? 1);
  const s: VmSummary = {
    vmid: vm.vmid,
    status: vm.running ? "running" : "stopped",
    name: c.name !== undefined ? String(c.name) : `VM ${vm.vmid}`,
    cpus: Math.min(c.vcpus !== undefined ? Number(c.vcpus) : cores, NODE_CPUS),
    maxmem: memoryMiB(c) * 1024 * 1024,
    maxdisk: bootDiskSize(c),
    uptime: vm.running && vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0,
    template: c.template === 1 ? 1 : 0,
  };
  if (c.tags !== undefined) s.tags = String(c.tags);
  if (c.lock !== undefined) s.lock = String(c.lock);
  return s;
}
