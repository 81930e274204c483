import type { Snapshot } from "@azure/arm-compute";
import { ProviderError, type ListedSnapshot, type OperationContext, type SnapshotActions } from "../contract.js";
import type { ResourceKind } from "../../manifest/model.js";
import { all, call, lro, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined, requireSucceeded } from "./errors.js";
import { nameOfId, parseId, sameId } from "./ids.js";
import { TAG } from "./marker.js";

/** The tag holding the snapshot name vmsync was given (one name covers every disk of the VM). */
export const SNAPSHOT_NAME_TAG = "vmsync-snapshot";

/**
 * The schedule part of a snapshot name, for the `vmsync-schedule` tag: for vmsync's own names
 * (`vmsync-<schedule>-<YYYYMMDDHHMM>`, see reconcile/snapshots.ts) the schedule; otherwise the name
 * without a trailing date (`daily-20250101T0300Z` → `daily`).
 */
export function scheduleOf(name: string): string {
  const own = /^vmsync-(.+)-\d{12}$/.exec(name);
  if (own) return own[1]!;
  return name.replace(/[-_.]?\d{8}(T\d{4,6}Z?)?$/, "") || name;
}

/** The Azure name of the snapshot of one disk: `<vm>--<name>` (OS disk) or `<vm>--<name>--lun<n>`, cut to 80 characters. */
export function azureSnapshotName(vm: string, name: string, lun?: number): string {
  const clean = `${vm}--${name}${lun !== undefined ? `--lun${lun}` : ""}`.replace(/[^A-Za-z0-9_.-]/g, "-");
  return clean.slice(0, 80);
}

function vmTarget(target: { kind: ResourceKind; externalId: string }) {
  const p = parseId(target.externalId);
  if (target.kind !== "VirtualMachine" || !p) throw new ProviderError(`snapshots: ${target.kind} ${target.externalId} is not an Azure VM`, { code: "UNSUPPORTED", retryable: false });
  return p;
}

async function snapshotsOf(ctx: AzureContext, rg: string, vmId: string, signal?: AbortSignal): Promise<Snapshot[]> {
  const list = (await getOrUndefined(`list snapshots in ${rg}`, () => all(ctx.clients.compute.snapshots.listByResourceGroup(rg, signal ? { abortSignal: signal } : {})))) ?? [];
  return list.filter((s) => sameId(s.tags?.[TAG.snapshotOf], vmId));
}

/**
 * Snapshots vmsync takes of Azure VMs (for `vmsync snapshot run` and the daemon): `create` takes an
 * incremental snapshot of every managed disk of the VM (OS disk and data disks) in the VM's group,
 * tagged `vmsync-snapshot-of` (the VM id), `vmsync-snapshot` (the name given), `vmsync-schedule` and
 * `vmsync-taken`, plus the stack; `list` reads the group's snapshots once and gives one entry per
 * name; `delete` removes every disk's snapshot of that name (already gone is fine).
 */
export function azureSnapshots(ctx: AzureContext): SnapshotActions {
  return {
    async list(target) {
      const p = vmTarget(target);
      const snaps = await snapshotsOf(ctx, p.resourceGroup, target.externalId);
      const byName = new Map<string, ListedSnapshot>();
      for (const s of snaps) {
        const name = s.tags?.[SNAPSHOT_NAME_TAG] ?? s.name ?? "";
        const at = s.tags?.[TAG.taken] ?? s.timeCreated?.toISOString() ?? "";
        const stack = s.tags?.[TAG.stack];
        if (!byName.has(name) || at < byName.get(name)!.createdAt) byName.set(name, { name, createdAt: at, ...(stack ? { stack } : {}) });
      }
      return [...byName.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    },
    async create(target, name, op: OperationContext) {
      const p = vmTarget(target);
      const vm = await azureCall(`read VM ${p.name}`, () => ctx.clients.compute.virtualMachines.get(p.resourceGroup, p.name, call(op)));
      const disks: Array<{ id: string; lun?: number }> = [];
      if (vm.storageProfile?.osDisk?.managedDisk?.id) disks.push({ id: vm.storageProfile.osDisk.managedDisk.id });
      for (const d of vm.storageProfile?.dataDisks ?? []) if (d.managedDisk?.id) disks.push({ id: d.managedDisk.id, lun: d.lun });
      const taken = new Date().toISOString();
      for (const d of disks) {
        const snapName = azureSnapshotName(p.name, name, d.lun);
        const tags = { [TAG.stack]: ctx.stack, [TAG.snapshotOf]: target.externalId, [SNAPSHOT_NAME_TAG]: name, [TAG.schedule]: scheduleOf(name), [TAG.taken]: taken };
        const doing = `snapshot disk ${nameOfId(d.id)} of VM ${p.name} as ${snapName}`;
        const made = await azureCall(doing, () =>
          lro(ctx, op, (o) => ctx.clients.compute.snapshots.createOrUpdate(p.resourceGroup, snapName, { location: vm.location, tags, sku: { name: "Standard_LRS" }, incremental: true, creationData: { createOption: "Copy", sourceResourceId: d.id } }, o)),
        );
        requireSucceeded(doing, made);
      }
    },
    async delete(target, name, op: OperationContext) {
      const p = vmTarget(target);
      const snaps = (await snapshotsOf(ctx, p.resourceGroup, target.externalId, op.signal)).filter((s) => (s.tags?.[SNAPSHOT_NAME_TAG] ?? s.name) === name);
      for (const s of snaps) await azureCall(`delete snapshot ${s.name ?? ""}`, () => lro(ctx, op, (o) => ctx.clients.compute.snapshots.delete(p.resourceGroup, s.name!, o)));
    },
  };
}
