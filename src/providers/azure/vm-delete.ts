import type { DeleteRequest, OperationContext } from "../contract.js";
import { call, lro, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined } from "./errors.js";
import { nameOfId, parseId } from "./ids.js";
import { markerOf, ownedBy } from "./marker.js";
import { deleteOwnedNetwork, unowned } from "./network.js";
import { partNames } from "./vm-create.js";

/**
 * Deletes a VM and only the parts vmsync created for it: the VM itself; its OS disk when the VM
 * carries this stack's marker (the disk was created from the image by vmsync's create; Azure
 * deletes it with the VM through `deleteOption: Delete`, and a leftover is removed); the NICs and
 * public IPs attached to it — and the conventional `<name>-nic` / `<name>-pip` — when they carry the
 * marker for this address. Data disks, unowned NICs/IPs, networks and groups are left alone.
 * Succeeds when everything is already gone, so a retried delete finishes the cleanup.
 */
export async function deleteVm(ctx: AzureContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  const p = parseId(req.externalId);
  if (!p) return;
  const { resourceGroup: rg, name } = p;
  const { compute } = ctx.clients;
  const parts = partNames(name);
  const vm = await getOrUndefined(`read VM ${name}`, () => compute.virtualMachines.get(rg, name, call(op)));
  // defence in depth (the planner checks too): never delete a VM another stack or address owns
  const owner = markerOf(vm?.tags);
  if (owner && (owner.stack !== ctx.stack || owner.address !== req.address)) throw unowned("VM", vm?.id, req.address);
  const nicIds = new Set<string>([`${rg}/${parts.nic}`]);
  const pipIds = new Set<string>([`${rg}/${parts.pip}`]);
  let osDisk: string | undefined;
  if (vm) {
    for (const n of vm.networkProfile?.networkInterfaces ?? []) {
      const ref = n.id ? parseId(n.id) : undefined;
      if (!ref) continue;
      nicIds.add(`${ref.resourceGroup}/${ref.name}`);
      const nic = await getOrUndefined(`read network interface ${ref.name}`, async () => (await ctx.clients.network()).networkInterfaces.get(ref.resourceGroup, ref.name, call(op)));
      for (const ipc of nic?.ipConfigurations ?? []) {
        const pip = ipc.publicIPAddress?.id ? parseId(ipc.publicIPAddress.id) : undefined;
        if (pip) pipIds.add(`${pip.resourceGroup}/${pip.name}`);
      }
    }
    if (ownedBy(vm.tags, ctx.stack, req.address)) osDisk = vm.storageProfile?.osDisk?.managedDisk?.id;
    await azureCall(`delete VM ${name}`, () => lro(ctx, op, (o) => compute.virtualMachines.delete(rg, name, o)));
  }
  if (osDisk) {
    const diskRg = parseId(osDisk)?.resourceGroup ?? rg;
    const left = await getOrUndefined(`read disk ${nameOfId(osDisk)}`, () => compute.disks.get(diskRg, nameOfId(osDisk!), call(op)));
    if (left && !left.managedBy) await azureCall(`delete OS disk ${nameOfId(osDisk)}`, () => lro(ctx, op, (o) => compute.disks.delete(diskRg, nameOfId(osDisk!), o)));
  }
  for (const key of nicIds) {
    const [g, n] = key.split("/") as [string, string];
    await deleteOwnedNetwork(ctx, "nic", g, n, req.address, op);
  }
  for (const key of pipIds) {
    const [g, n] = key.split("/") as [string, string];
    await deleteOwnedNetwork(ctx, "pip", g, n, req.address, op);
  }
}
