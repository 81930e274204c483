import type { ObservedResource, OperationContext } from "../contract.js";
import { asSpec, observedVm, powerOf } from "./canonical-vm.js";
import { call, type AzureContext } from "./context.js";
import { getOrUndefined } from "./errors.js";
import { nameOfId, parseId } from "./ids.js";
import { markerOf } from "./marker.js";

/**
 * Reads one VM as observe would see it — the VM with its instance view, its primary NIC and its OS
 * disk (three reads: used after a create or update, never by the bulk observe). Undefined when gone.
 */
export async function readVm(ctx: AzureContext, rg: string, name: string, op?: OperationContext): Promise<ObservedResource | undefined> {
  const { compute } = ctx.clients;
  const vm = await getOrUndefined(`read VM ${name}`, () => compute.virtualMachines.get(rg, name, { expand: "instanceView", ...call(op) }));
  if (!vm?.id) return undefined;
  const nicId = (vm.networkProfile?.networkInterfaces?.find((n) => n.primary) ?? vm.networkProfile?.networkInterfaces?.[0])?.id;
  const nicRef = nicId ? parseId(nicId) : undefined;
  const diskId = vm.storageProfile?.osDisk?.managedDisk?.id;
  const [nic, disk] = await Promise.all([
    nicRef ? getOrUndefined(`read network interface ${nicRef.name}`, async () => (await ctx.clients.network()).networkInterfaces.get(nicRef.resourceGroup, nicRef.name, call(op))) : undefined,
    diskId ? getOrUndefined(`read disk ${nameOfId(diskId)}`, () => compute.disks.get(parseId(diskId)?.resourceGroup ?? rg, nameOfId(diskId), call(op))) : undefined,
  ]);
  const power = powerOf(vm.instanceView?.statuses);
  const spec = observedVm(vm, { ...(nic ? { nic } : {}), ...(disk ? { osDisk: disk } : {}), power });
  const marker = markerOf(vm.tags);
  return { kind: "VirtualMachine", externalId: vm.id, name: vm.name ?? name, spec: asSpec(spec), ...(marker ? { marker } : {}), status: { ...(vm.location ? { placement: vm.location } : {}), power } };
}
