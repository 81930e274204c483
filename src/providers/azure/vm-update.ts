import { ProviderError, withPartialEffects, type ObservedResource, type OperationContext, type PartialEffect, type UpdateRequest } from "../contract.js";
import { rulePath } from "../diff-util.js";
import { powerOf, type AzurePower, type VmCanonical } from "./canonical-vm.js";
import { all, call, lro, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined } from "./errors.js";
import { nameOfId, parseId } from "./ids.js";
import { markerTags, mergedTags, TAG } from "./marker.js";
import { deleteOwnedNetwork, ensureNic, ensurePublicIp, ensureSubnet } from "./network.js";
import { readVm } from "./vm-read.js";
import { partNames } from "./vm-create.js";
import { setPower } from "./vm-power.js";

/**
 * Updates a VM in place, touching only what `changes` names:
 * - size: PATCH `hardwareProfile.vmSize` while allocated when the size is in the VM's `vmSizes` list
 *   (the current hardware cluster offers it; Azure restarts the VM), else deallocate → PATCH;
 * - OS disk growth (PATCH `osDisk.diskSizeGB` with its `createOption`) and type (the disk's SKU) —
 *   both while deallocated;
 * - public IP on/off (creates or removes the IP vmsync owns and re-points the NIC);
 * - tags (replace-all PATCH that keeps tags vmsync does not manage, and the marker);
 * - power last: after a deallocation the desired power state is restored.
 * A change classified `replace` or `unsupported` never reaches here (the planner blocks or replaces).
 */
export async function updateVm(ctx: AzureContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as VmCanonical;
  const p = parseId(req.externalId);
  if (!p) throw new ProviderError(`update ${req.address}: not an Azure resource id: ${req.externalId}`, { code: "BAD_ID", retryable: false });
  const { resourceGroup: rg, name } = p;
  const vms = ctx.clients.compute.virtualMachines;
  const paths = new Set(req.changes.map((c) => rulePath(c.path)));
  const bad = req.changes.filter((c) => c.effect === "replace" || c.effect === "unsupported");
  if (bad.length) throw new ProviderError(`update ${req.address}: ${bad.map((c) => c.path).join(", ")} cannot change in place`, { code: "NOT_IN_PLACE", retryable: false });
  const vm = await getOrUndefined(`read VM ${name}`, () => vms.get(rg, name, { expand: "instanceView", ...call(op) }));
  if (!vm) throw new ProviderError(`update ${req.address}: VM ${name} no longer exists in ${rg}`, { code: "ResourceNotFound", retryable: false });
  let power = powerOf(vm.instanceView?.statuses);
  const desiredPower = spec.power as AzurePower;
  const diskChange = paths.has("osDisk.sizeGB") || paths.has("osDisk.type");
  let sizeNeedsDealloc = false;
  if (paths.has("size") && power !== "deallocated") {
    const sizes = await azureCall(`list sizes available to VM ${name}`, () => all(vms.listAvailableSizes(rg, name, call(op))));
    sizeNeedsDealloc = !sizes.some((s) => s.name?.toLowerCase() === spec.size.toLowerCase());
  }
  const deallocated = (diskChange || sizeNeedsDealloc) && power !== "deallocated";
  // what this update has changed so far: if a later call fails, the error carries it (a partial effect)
  const done: PartialEffect[] = [];
  const why = [sizeNeedsDealloc ? "resize it" : "", diskChange ? "change its OS disk" : ""].filter(Boolean).join(" and ");
  try {
    if (deallocated) {
      await setPower(ctx, rg, name, power, "deallocated", op);
      power = "deallocated";
      done.push({ path: "power", value: "deallocated", note: `vmsync deallocated the VM to ${why}; the next apply restores the power state` });
    }
    if (paths.has("size")) {
      await azureCall(`resize VM ${name} to ${spec.size}`, () => lro(ctx, op, (o) => vms.update(rg, name, { hardwareProfile: { vmSize: spec.size } }, o)));
      done.push({ path: "size", value: spec.size, note: `vmsync resized the VM to ${spec.size}` });
    }
    const osDisk = vm.storageProfile?.osDisk;
    if (paths.has("osDisk.sizeGB") && spec.osDisk.sizeGB !== undefined) {
      await azureCall(`grow the OS disk of VM ${name} to ${spec.osDisk.sizeGB} GiB`, () =>
        lro(ctx, op, (o) => vms.update(rg, name, { storageProfile: { osDisk: { createOption: osDisk?.createOption ?? "FromImage", diskSizeGB: spec.osDisk.sizeGB } } }, o)),
      );
      done.push({ path: "osDisk.sizeGB", value: spec.osDisk.sizeGB, note: `vmsync grew the OS disk to ${spec.osDisk.sizeGB} GiB` });
    }
    const diskId = osDisk?.managedDisk?.id;
    if (paths.has("osDisk.type") && spec.osDisk.type !== undefined && diskId) {
      await azureCall(`change the OS disk of VM ${name} to ${spec.osDisk.type}`, () =>
        lro(ctx, op, (o) => ctx.clients.compute.disks.update(parseId(diskId)?.resourceGroup ?? rg, nameOfId(diskId), { sku: { name: spec.osDisk.type as "Premium_LRS" } }, o)),
      );
      done.push({ path: "osDisk.type", value: spec.osDisk.type, note: `vmsync changed the OS disk to ${spec.osDisk.type}` });
    }
    if (paths.has("network.publicIp")) await setPublicIp(ctx, req, rg, name, spec, op);
    if (paths.has("tags")) {
      const own = { ...markerTags(req.marker), ...(vm.tags?.[TAG.cloudInit] ? { [TAG.cloudInit]: vm.tags[TAG.cloudInit] } : {}) };
      await azureCall(`set tags of VM ${name}`, () => lro(ctx, op, (o) => vms.update(rg, name, { tags: mergedTags(vm.tags, spec.tags, own) }, o)));
    }
    if (deallocated || paths.has("power")) await setPower(ctx, rg, name, power, desiredPower, op);
  } catch (err) {
    throw withPartialEffects(err, done);
  }
  const after = await readVm(ctx, rg, name, op);
  if (!after) throw new ProviderError(`update ${req.address}: VM ${name} disappeared during the update`, { code: "ResourceNotFound", retryable: false });
  return after;
}

/** Adds (a public IP vmsync owns, attached to the NIC) or removes (detach, then delete it if owned) the VM's public IP. */
async function setPublicIp(ctx: AzureContext, req: UpdateRequest, rg: string, name: string, spec: VmCanonical, op: OperationContext): Promise<void> {
  const parts = partNames(name);
  const subnetId = await ensureSubnet(ctx, spec.network.vnetGroup, spec.network.vnet, spec.network.subnet, spec.location, op);
  const nicId = (await ctx.clients.compute.virtualMachines.get(rg, name, call(op))).networkProfile?.networkInterfaces?.[0]?.id;
  const nicName = nicId ? nameOfId(nicId) : parts.nic;
  if (spec.network.publicIp) {
    const pip = await ensurePublicIp(ctx, rg, parts.pip, spec.location, req.marker, op);
    await ensureNic(ctx, rg, nicName, spec.location, subnetId, pip, req.marker, op);
  } else {
    await ensureNic(ctx, rg, nicName, spec.location, subnetId, undefined, req.marker, op);
    await deleteOwnedNetwork(ctx, "pip", rg, parts.pip, req.address, op);
  }
}
