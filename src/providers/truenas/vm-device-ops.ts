/**
 * Works out the device operations that bring a VM's devices to the canonical spec: disks matched
 * by zvol name (`<vm dataset>/<disk name>`), NICs / CD-ROM / display by position. Only the device
 * groups the update's changes touch are looked at. Each operation says whether the VM must be
 * stopped first (TrueNAS refuses to delete a device of a running VM) and whether it only takes
 * effect at the next start.
 */
import { ProviderError } from "../contract.js";
import type { SessionContext } from "./context.js";
import { createDevice, deleteDevice, ORDER, updateDevice } from "./devices.js";
import { zvolOfPath, zvolPath } from "./names.js";
import { devicesOf, type Device } from "./vm-observe.js";
import type { CanonVm } from "./vm-spec.js";

/** One device operation. */
export interface DeviceOp {
  what: string;
  needsStop: boolean;
  restart: boolean;
  run: () => Promise<void>;
}

const MiB = 1024 * 1024;

function diskOps(ctx: SessionContext, vmId: number, entry: Record<string, unknown>, d: CanonVm, volsize: (z: string) => number | undefined): DeviceOp[] {
  if (!d.dataset) throw new ProviderError(`no pool for the VM's zvols: set defaults.pool on provider ${ctx.provider}`, { code: "TRUENAS_NO_POOL", retryable: false });
  const ds = d.dataset;
  const ops: DeviceOp[] = [];
  const existing = devicesOf(entry, "DISK");
  const matched = new Set<Device>();
  d.disks.forEach((disk, i) => {
    const z = `${ds}/${disk.name}`;
    const bytes = disk.size * MiB;
    const dev = existing.find((e) => zvolOfPath(e.attributes.path) === z);
    if (!dev) {
      const exists = volsize(z) !== undefined;
      const attrs = exists ? { path: zvolPath(z), type: disk.bus } : { create_zvol: true, zvol_name: z, zvol_volsize: bytes, type: disk.bus };
      ops.push({ what: `add disk ${z}`, needsStop: false, restart: true, run: () => createDevice(ctx, vmId, "DISK", attrs, ORDER.disk + i) });
      if (exists && (volsize(z) ?? 0) < bytes) ops.push({ what: `grow ${z}`, needsStop: false, restart: false, run: async () => void (await ctx.client.call("pool.dataset.update", [z, { volsize: bytes }])) });
      return;
    }
    matched.add(dev);
    if (dev.attributes.type !== disk.bus || dev.order !== ORDER.disk + i) {
      ops.push({ what: `set disk ${z} bus ${disk.bus}`, needsStop: false, restart: true, run: () => updateDevice(ctx, dev, { type: disk.bus }, ORDER.disk + i) });
    }
    const cur = volsize(z) ?? 0;
    if (bytes < cur) throw new ProviderError(`disk ${disk.name} cannot shrink from ${cur / MiB} MiB to ${disk.size} MiB: TrueNAS does not shrink zvols`, { code: "TRUENAS_UNSUPPORTED", retryable: false });
    if (bytes > cur) ops.push({ what: `grow ${z}`, needsStop: false, restart: false, run: async () => void (await ctx.client.call("pool.dataset.update", [z, { volsize: bytes }])) });
  });
  for (const dev of existing) {
    if (matched.has(dev)) continue;
    const z = zvolOfPath(dev.attributes.path);
    const ours = z !== undefined && z.startsWith(`${ds}/`);
    ops.push({ what: `remove disk ${z ?? dev.id}`, needsStop: true, restart: true, run: () => deleteDevice(ctx, dev, ours) });
  }
  return ops;
}

async function nicOps(ctx: SessionContext, vmId: number, entry: Record<string, unknown>, d: CanonVm): Promise<DeviceOp[]> {
  const ops: DeviceOp[] = [];
  const existing = devicesOf(entry, "NIC");
  for (const [i, nic] of d.nics.entries()) {
    const dev = existing[i];
    if (!dev) {
      // a MAC is always set: TrueNAS would otherwise draw a new one at every start (reference §4.6)
      const mac = nic.mac ?? (await ctx.client.call<string>("vm.random_mac", [], { idempotent: true }));
      ops.push({ what: `add NIC ${i}`, needsStop: false, restart: true, run: () => createDevice(ctx, vmId, "NIC", { type: nic.model, nic_attach: nic.bridge, mac }, ORDER.nic + i) });
      continue;
    }
    const a = dev.attributes;
    const mac = nic.mac ?? (typeof a.mac === "string" && a.mac ? a.mac : await ctx.client.call<string>("vm.random_mac", [], { idempotent: true }));
    if (a.type !== nic.model || a.nic_attach !== nic.bridge || String(a.mac ?? "").toLowerCase() !== mac.toLowerCase()) {
      ops.push({ what: `update NIC ${i}`, needsStop: false, restart: true, run: () => updateDevice(ctx, dev, { type: nic.model, nic_attach: nic.bridge, mac }) });
    }
  }
  for (const dev of existing.slice(d.nics.length)) ops.push({ what: `remove NIC ${dev.id}`, needsStop: true, restart: true, run: () => deleteDevice(ctx, dev, false) });
  return ops;
}

function cdromOps(ctx: SessionContext, vmId: number, entry: Record<string, unknown>, d: CanonVm): DeviceOp[] {
  const existing = devicesOf(entry, "CDROM");
  const ops: DeviceOp[] = [];
  const first = existing[0];
  if (d.iso !== null) {
    const iso = d.iso;
    if (!first) ops.push({ what: "add CD-ROM", needsStop: false, restart: true, run: () => createDevice(ctx, vmId, "CDROM", { path: iso }, ORDER.cdrom) });
    else if (first.attributes.path !== iso) ops.push({ what: "change ISO", needsStop: false, restart: true, run: () => updateDevice(ctx, first, { path: iso }) });
  }
  for (const dev of existing.slice(d.iso !== null ? 1 : 0)) ops.push({ what: `remove CD-ROM ${dev.id}`, needsStop: true, restart: true, run: () => deleteDevice(ctx, dev, false) });
  return ops;
}

function displayOps(ctx: SessionContext, vmId: number, entry: Record<string, unknown>, d: CanonVm): DeviceOp[] {
  const existing = devicesOf(entry, "DISPLAY");
  const ops: DeviceOp[] = [];
  const want = d.display;
  if (want) {
    const first = existing[0];
    const attrs = async () => ({
      type: want.type,
      bind: want.bind,
      ...(want.port !== undefined ? { port: want.port } : {}),
      password: want.password ? await ctx.readSecret(want.password) : null,
    });
    if (!first) ops.push({ what: "add display", needsStop: false, restart: true, run: async () => createDevice(ctx, vmId, "DISPLAY", await attrs(), ORDER.display) });
    else ops.push({ what: "update display", needsStop: false, restart: true, run: async () => updateDevice(ctx, first, await attrs()) });
  }
  for (const dev of existing.slice(want ? 1 : 0)) ops.push({ what: `remove display ${dev.id}`, needsStop: true, restart: true, run: () => deleteDevice(ctx, dev, false) });
  return ops;
}

/** The device operations for the groups `touched` names (disks, nics, iso, display). */
export async function deviceOps(
  ctx: SessionContext,
  entry: Record<string, unknown>,
  desired: CanonVm,
  touched: (path: string) => boolean,
  volsize: (zvol: string) => number | undefined,
): Promise<DeviceOp[]> {
  const id = Number(entry.id);
  return [
    ...(touched("iso") ? cdromOps(ctx, id, entry, desired) : []),
    ...(touched("disks") ? diskOps(ctx, id, entry, desired, volsize) : []),
    ...(touched("nics") ? await nicOps(ctx, id, entry, desired) : []),
    ...(touched("display") ? displayOps(ctx, id, entry, desired) : []),
  ];
}
