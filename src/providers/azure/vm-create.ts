import type { VirtualMachine } from "@azure/arm-compute";
import { ProviderError, type CreateRequest, type ObservedResource, type OperationContext } from "../contract.js";
import { renderCloudConfig } from "./cloud-init.js";
import type { AzurePower, VmCanonical } from "./canonical-vm.js";
import { call, lro, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined } from "./errors.js";
import { markerTags, mergedTags, ownedBy, TAG } from "./marker.js";
import { ensureGroup, ensureNic, ensurePublicIp, ensureSubnet, unowned } from "./network.js";
import { mountSources } from "./share-locate.js";
import { readVm } from "./vm-read.js";
import { setPower } from "./vm-power.js";

/** Names of the parts vmsync creates for VM `name`: `<name>-nic`, `<name>-pip`, `<name>-osdisk`. */
export function partNames(name: string): { nic: string; pip: string; osDisk: string } {
  return { nic: `${name}-nic`, pip: `${name}-pip`, osDisk: `${name}-osdisk` };
}

/** The VM PUT body for a canonical spec (reference §7): image, OS disk, admin user with SSH keys only, custom data, the NIC, tags with the marker. */
export function vmBody(spec: VmCanonical, name: string, nicId: string, customData: string | undefined, tags: Record<string, string>): VirtualMachine {
  return {
    location: spec.location,
    tags,
    hardwareProfile: { vmSize: spec.size },
    storageProfile: {
      imageReference: { ...spec.image },
      osDisk: {
        name: partNames(name).osDisk, createOption: "FromImage", deleteOption: "Delete",
        ...(spec.osDisk.sizeGB !== undefined ? { diskSizeGB: spec.osDisk.sizeGB } : {}),
        ...(spec.osDisk.type !== undefined ? { managedDisk: { storageAccountType: spec.osDisk.type } } : {}),
      },
    },
    osProfile: {
      computerName: spec.computerName,
      adminUsername: spec.adminUser,
      ...(customData !== undefined ? { customData: Buffer.from(customData).toString("base64") } : {}),
      linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: spec.sshKeys.map((keyData) => ({ path: `/home/${spec.adminUser}/.ssh/authorized_keys`, keyData })) } },
    },
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Delete" }] },
  };
}

/**
 * Creates a VM, safe to retry: the resource group, VNet/subnet (when missing), public IP and NIC are
 * made or reused when they carry this resource's marker; the VM PUT is skipped when the VM already
 * exists with the marker and succeeded (a retried create adopts it), and repeated when it was left
 * Failed. Then the power state is set and the VM is read back.
 */
export async function createVm(ctx: AzureContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as VmCanonical;
  const rg = spec.resourceGroup;
  const name = req.name;
  const parts = partNames(name);
  await ensureGroup(ctx, rg, spec.location, op);
  const existing = await getOrUndefined(`read VM ${name}`, () => ctx.clients.compute.virtualMachines.get(rg, name, call(op)));
  if (existing && !ownedBy(existing.tags, req.marker.stack, req.marker.address)) throw unowned("VM", existing.id, req.address);
  if (!existing || !/succeeded/i.test(existing.provisioningState ?? "")) {
    const subnetId = await ensureSubnet(ctx, spec.network.vnetGroup, spec.network.vnet, spec.network.subnet, spec.location, op);
    const pipId = spec.network.publicIp ? await ensurePublicIp(ctx, rg, parts.pip, spec.location, req.marker, op) : undefined;
    const nicId = await ensureNic(ctx, rg, parts.nic, spec.location, subnetId, pipId, req.marker, op);
    const inputs = spec._cloudInit;
    const groups = [rg, ctx.spec.defaults?.resourceGroup ?? rg];
    const customData = inputs && spec.cloudInitHash !== "none" ? renderCloudConfig(inputs, await mountSources(ctx, inputs, groups, op)) : undefined;
    const own = { ...markerTags(req.marker), ...(spec.cloudInitHash !== "none" ? { [TAG.cloudInit]: spec.cloudInitHash } : {}) };
    const body = vmBody(spec, name, nicId, customData, mergedTags(undefined, spec.tags, own));
    await azureCall(`create VM ${name} in ${rg}`, () => lro(ctx, op, (o) => ctx.clients.compute.virtualMachines.createOrUpdate(rg, name, body, o)));
  }
  const now = await readVm(ctx, rg, name, op);
  if (!now) throw new ProviderError(`create VM ${name}: Azure reported success but the VM cannot be read`, { code: "OperationFailedWithoutResource", retryable: true });
  await setPower(ctx, rg, name, now.spec.power as AzurePower, spec.power as AzurePower, op);
  return spec.power === now.spec.power ? now : ((await readVm(ctx, rg, name, op)) ?? now);
}
