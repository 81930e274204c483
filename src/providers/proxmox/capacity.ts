import type { DesiredProvider, ResourceKind } from "../../manifest/model.js";
import type { ProxmoxProviderSpec } from "../../manifest/schema/index.js";
import type { CanonicalSpec, CapacityPool, Demand } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import type { CtSpec } from "./lxc-spec.js";
import type { VmSpec } from "./spec-types.js";
import { mapLimit } from "./sync.js";

const MIB = 1024 * 1024;

/** Overcommit ratios of a Proxmox provider (defaults: memory 1, CPU 4 vCPUs per thread). */
export function proxmoxRatios(spec: ProxmoxProviderSpec): { memory: number; cpu: number } {
  return { memory: spec.capacity?.memoryOvercommit ?? 1, cpu: spec.capacity?.cpuOvercommit ?? 4 };
}

/**
 * What a guest takes (pure): a running VM or container its memory and vCPUs (VM: sockets × cores;
 * container: its cores limit, 1 when unlimited) on its node — Proxmox commits them only while it
 * runs —, and every guest (templates too) its disks' size on their storage
 * (`storage/<node>/<storage>`; a shared storage answers to that key on every node): a VM's disks, a
 * container's root volume and volume mount points.
 */
export function proxmoxDemand(kind: ResourceKind, spec: CanonicalSpec): Demand[] {
  if (kind === "Container") return containerDemand(spec as unknown as CtSpec);
  if (kind !== "VirtualMachine" && kind !== "VmTemplate") return [];
  const vm = spec as unknown as VmSpec;
  if (!vm.node) return [];
  const out: Demand[] = [];
  if (kind === "VirtualMachine" && vm.power !== "stopped") {
    out.push({ pool: `node/${vm.node}/memory`, amount: (vm.memory ?? 0) * MIB });
    out.push({ pool: `node/${vm.node}/cores`, amount: (vm.cpu?.cores ?? 1) * (vm.cpu?.sockets ?? 1) });
  }
  for (const d of vm.disks ?? []) if (d.storage) out.push({ pool: `storage/${vm.node}/${d.storage}`, amount: d.size * MIB });
  return out;
}

function containerDemand(ct: CtSpec): Demand[] {
  if (!ct.node) return [];
  const out: Demand[] = [];
  if (!ct.template && ct.power !== "stopped") {
    out.push({ pool: `node/${ct.node}/memory`, amount: (ct.memory ?? 0) * MIB });
    out.push({ pool: `node/${ct.node}/cores`, amount: ct.cores ?? 1 });
  }
  if (ct.rootfs?.storage) out.push({ pool: `storage/${ct.node}/${ct.rootfs.storage}`, amount: ct.rootfs.size * MIB });
  for (const m of Object.values(ct.mountPoints ?? {})) if (m.volume) out.push({ pool: `storage/${ct.node}/${m.volume.storage}`, amount: m.volume.size * MIB });
  return out;
}

interface NodeStatus { memory?: { total?: number }; cpuinfo?: { cpus?: number } }
interface StorageStatus { storage: string; total?: number; used?: number; shared?: number; active?: number; enabled?: number; content?: string }

/**
 * Reads the cluster's capacity in bulk: `/nodes`, then per online node (bounded concurrency)
 * `/nodes/{node}/status` (physical memory, CPU threads), `/nodes/{node}/qemu` and `/nodes/{node}/lxc`
 * (what running guests commit: `maxmem`, `cpus`) and `/nodes/{node}/storage?enabled=1` (total, used).
 * Memory and cores are multiplied by the provider's overcommit ratios; a shared storage is one pool.
 */
export async function readProxmoxCapacity(c: ProxmoxContext, config: DesiredProvider, signal?: AbortSignal): Promise<CapacityPool[]> {
  const opts = signal ? { signal } : {};
  const ratios = proxmoxRatios(config.spec as ProxmoxProviderSpec);
  const nodes = (await c.api.get<Array<{ node: string; status?: string }>>("/nodes", undefined, opts)).filter((n) => n.status === undefined || n.status === "online");
  const perNode = await mapLimit(nodes, c.readConcurrency, async (n) => {
    type Guest = { status?: string; maxmem?: number; cpus?: number; template?: number };
    const [status, vms, cts, storages] = await Promise.all([
      c.api.get<NodeStatus>(`/nodes/${n.node}/status`, undefined, opts),
      c.api.get<Guest[]>(`/nodes/${n.node}/qemu`, undefined, opts),
      c.api.get<Guest[]>(`/nodes/${n.node}/lxc`, undefined, opts),
      c.api.get<StorageStatus[]>(`/nodes/${n.node}/storage`, { enabled: 1 }, opts),
    ]);
    return { node: n.node, status, guests: [...vms, ...cts], storages };
  });
  const pools: CapacityPool[] = [];
  const shared = new Map<string, CapacityPool>();
  for (const { node, status, guests, storages } of perNode) {
    const running = guests.filter((g) => g.status === "running" && Number(g.template ?? 0) !== 1);
    const mem = Number(status.memory?.total ?? 0);
    const cpus = Number(status.cpuinfo?.cpus ?? 0);
    pools.push({ key: `node/${node}/memory`, label: `node ${node} memory`, unit: "bytes", total: Math.floor(mem * ratios.memory), physical: mem, used: running.reduce((a, g) => a + Number(g.maxmem ?? 0), 0) });
    pools.push({ key: `node/${node}/cores`, label: `node ${node} vCPUs`, unit: "count", total: Math.floor(cpus * ratios.cpu), physical: cpus, used: running.reduce((a, g) => a + Number(g.cpus ?? 0), 0) });
    for (const s of storages) {
      if (s.total === undefined || Number(s.active ?? 1) !== 1) continue;
      const key = `storage/${node}/${s.storage}`;
      if (Number(s.shared ?? 0) === 1) {
        const pool = shared.get(s.storage) ?? { key: `storage/${s.storage}`, aliases: [], label: `shared storage ${s.storage}`, unit: "bytes" as const, total: Number(s.total), used: Number(s.used ?? 0) };
        pool.aliases!.push(key);
        shared.set(s.storage, pool);
      } else {
        pools.push({ key, label: `storage ${s.storage} on ${node}`, unit: "bytes", total: Number(s.total), used: Number(s.used ?? 0) });
      }
    }
  }
  return [...pools, ...shared.values()];
}
