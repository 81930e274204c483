import { parsePropertyString, parseSize } from "./property-string.js";
import { NODE_CPUS, summarise, type VmSummary } from "./vm-summary.js";
import type { VmRecord } from "./world.js";

/**
 * The status figures of any guest, as pve-container's `vmstatus` computes them for a container
 * (name = hostname or `CT<vmid>`, cpus = cores or cpulimit or the host's, maxdisk = rootfs size or
 * 4 GiB, maxmem from `memory`) and qemu-server's for a VM. The RRD view of `/cluster/resources`
 * records these.
 */
export function guestSummary(vm: VmRecord): VmSummary {
  if (vm.type !== "lxc") return summarise(vm);
  const c = vm.conf;
  const rootfs = c.rootfs !== undefined ? parsePropertyString(String(c.rootfs), "volume") : {};
  const s: VmSummary = {
    vmid: vm.vmid,
    status: vm.running ? "running" : "stopped",
    name: c.hostname !== undefined ? String(c.hostname) : `CT${vm.vmid}`,
    cpus: Math.ceil(Number(c.cores ?? c.cpulimit ?? 0)) || NODE_CPUS,
    maxmem: Number(c.memory ?? 512) * 1024 * 1024,
    maxdisk: parseSize(rootfs.size ?? "") || 4 * 1024 ** 3,
    uptime: vm.running && vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0,
    template: c.template === 1 ? 1 : 0,
  };
  if (c.tags !== undefined) s.tags = String(c.tags);
  if (c.lock !== undefined) s.lock = String(c.lock);
  return s;
}
