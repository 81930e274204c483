/**
 * Capacity of a TrueNAS system for the plan's check: host memory for VMs that run, and each pool's
 * space for zvols (VM disks). Read in bulk: `system.info` (`physmem`, bytes), `vm.query` (memory in
 * MiB of every VM whose `status.state` is not STOPPED — what TrueNAS commits, as `vm.start`'s
 * memory check and `vm.get_available_memory` count it), `pool.query` (the pools) and
 * `pool.dataset.query` of the pools' root datasets (`used` / `available`, the ZFS space zvols take).
 */
import type { DesiredProvider, ResourceKind } from "../../manifest/model.js";
import type { TruenasProviderSpec } from "../../manifest/schema/index.js";
import type { CanonicalSpec, CapacityPool, Demand } from "../contract.js";
import type { SessionContext } from "./context.js";
import type { CanonVm } from "./vm-spec.js";

const MIB = 1024 * 1024;

/** The key of the host-memory pool. */
export const HOST_MEMORY = "host/memory";

/** What a VM takes (pure): its memory while it runs, and its disks' size (zvols) in its dataset's pool. */
export function truenasDemand(kind: ResourceKind, spec: CanonicalSpec): Demand[] {
  if (kind !== "VirtualMachine") return [];
  const vm = spec as unknown as CanonVm;
  const out: Demand[] = [];
  if (vm.power === "running" && vm.memory) out.push({ pool: HOST_MEMORY, amount: vm.memory * MIB });
  const pool = vm.dataset?.split("/")[0];
  if (pool) for (const d of vm.disks ?? []) out.push({ pool: `pool/${pool}`, amount: d.size * MIB });
  return out;
}

/** A ZFS property as `pool.dataset.query` returns it (`{parsed, rawvalue, value}`). */
function zfsBytes(p: unknown): number | undefined {
  const v = (p as { parsed?: unknown; rawvalue?: unknown } | undefined)?.parsed ?? (p as { rawvalue?: unknown } | undefined)?.rawvalue;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the pools (see module comment); memory is multiplied by the provider's `capacity.memoryOvercommit`. */
export async function readTruenasCapacity(ctx: SessionContext, config: DesiredProvider): Promise<CapacityPool[]> {
  const ratio = (config.spec as TruenasProviderSpec).capacity?.memoryOvercommit ?? 1;
  const [info, vms, pools] = await Promise.all([
    ctx.client.call<{ physmem?: number }>("system.info", [], { idempotent: true }),
    ctx.client.call<Array<{ memory?: number; status?: { state?: string } }>>("vm.query", [[], { select: ["id", "memory", "status"] }], { idempotent: true }),
    ctx.client.call<Array<{ name: string }>>("pool.query", [[], { select: ["name"] }], { idempotent: true }),
  ]);
  const names = pools.map((p) => p.name);
  const roots = names.length ? await ctx.client.call<Array<{ id: string; used?: unknown; available?: unknown }>>("pool.dataset.query", [[["id", "in", names]], { extra: { retrieve_children: false, properties: ["used", "available"] } }], { idempotent: true }) : [];
  const physmem = Number(info.physmem ?? 0);
  const out: CapacityPool[] = [{
    key: HOST_MEMORY, label: `${ctx.provider} memory for VMs`, unit: "bytes", total: Math.floor(physmem * ratio), physical: physmem,
    used: vms.filter((v) => (v.status?.state ?? "STOPPED") !== "STOPPED").reduce((a, v) => a + Number(v.memory ?? 0) * MIB, 0),
  }];
  for (const r of roots) {
    const used = zfsBytes(r.used);
    const avail = zfsBytes(r.available);
    if (used === undefined || avail === undefined) continue;
    out.push({ key: `pool/${r.id}`, label: `pool ${r.id}`, unit: "bytes", total: used + avail, used });
  }
  return out;
}
