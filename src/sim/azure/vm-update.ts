import type { ArmReply, ArmRequest, ResourceRef, SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import { clone, isObject, type Json } from "./json.js";
import { lroHeaders } from "./operation-routes.js";
import { assertIdle, checkSameLocation, nameOf } from "./resources.js";
import { reconcileDataDisks } from "./vm-disks.js";
import { isDeallocated, MANAGED_VM_PROPS, nextTags, powerOf, renderVm, settle } from "./vm-model.js";
import { bindNics, checkNics, releaseNics } from "./vm-nics.js";
import { checkImmutable, nicIds } from "./vm-rules.js";
import { checkResize } from "./vm-sizes.js";
import type { StoredResource } from "./world.js";

/**
 * Updates an existing VM (PUT on an existing name, or PATCH). Refusals, all before anything changes:
 * 409 `Conflict` while another operation runs on it; 409 `InvalidResourceLocation` for a new
 * location; 409 `PropertyChangeNotAllowed` for immutable fields (vm-rules.ts); 409
 * `OperationNotAllowed` for a resize off the current hardware cluster while allocated (vm-sizes.ts),
 * for growing the OS disk while allocated (innererror `ChangeDiskSizeWhileAttachedNotAllowed`), for
 * shrinking it at all, and for changing NICs while not deallocated.
 * Then tags (PUT: replaced; PATCH: replaced when given), size, OS disk size (also on the disk
 * resource), NICs, data disks (attach/detach by lun), `userData` and other properties are applied,
 * the VM goes `Updating` and the answer is 200 with only `Azure-AsyncOperation` (a `Location` would
 * send the SDK's final GET to the monitor). A resize of a running VM restarts it (`starting` until done).
 */
export function updateVm(sim: SimContext, req: ArmRequest, ref: ResourceRef, vm: StoredResource, body: Json, isPut: boolean): ArmReply {
  assertIdle(vm);
  checkSameLocation(vm, body, ref);
  checkImmutable(vm, body, isPut);
  const have = vm.body.properties as Json;
  const props: Json = isObject(body.properties) ? body.properties : {};
  const location = String(vm.body.location);
  const deallocated = isDeallocated(vm);
  const name = nameOf(ref);

  const oldSize = String(have.hardwareProfile?.vmSize);
  const newSize = props.hardwareProfile?.vmSize as string | undefined;
  const resized = newSize !== undefined && newSize.toLowerCase() !== oldSize.toLowerCase();
  if (resized) checkResize(name, oldSize, newSize, deallocated, location);

  const osDisk = have.storageProfile?.osDisk as Json;
  const wantOs = props.storageProfile?.osDisk?.diskSizeGB as number | undefined;
  if (wantOs !== undefined && wantOs !== osDisk.diskSizeGB) {
    if (wantOs < Number(osDisk.diskSizeGB)) {
      throw new ArmError(409, "OperationNotAllowed", `Disk '${String(osDisk.name)}' cannot be resized from ${String(osDisk.diskSizeGB)} GB to ${wantOs} GB: shrinking a disk is not supported.`, { target: "osDisk.diskSizeGB" });
    }
    if (!deallocated) {
      throw new ArmError(409, "OperationNotAllowed", `Cannot resize disk ${String(osDisk.name)} while it is attached to running VM ${vm.id}. Resizing a disk of an Azure Virtual Machine requires the virtual machine to be deallocated. Please stop your VM and retry the operation.`, {
        innererror: { code: "ChangeDiskSizeWhileAttachedNotAllowed" },
      });
    }
  }

  let networkProfile: Json | undefined;
  if (props.networkProfile !== undefined && nicIds(props.networkProfile).join() !== nicIds(have.networkProfile).join()) {
    if (!deallocated) throw new ArmError(409, "OperationNotAllowed", `Network interfaces of virtual machine '${name}' can only be added or removed while it is deallocated.`, { target: "networkProfile" });
    networkProfile = checkNics(sim, vm.id, location, props.networkProfile);
  }

  // Validated: from here on nothing throws except the data-disk reconcile, which validates first.
  const owner = { id: vm.id, name, resourceGroup: vm.resourceGroup, location };
  if (props.storageProfile?.dataDisks !== undefined) have.storageProfile.dataDisks = reconcileDataDisks(sim, owner, props.storageProfile.dataDisks, have.storageProfile.dataDisks ?? []);
  vm.body.tags = nextTags(body, vm.body.tags, isPut);
  if (resized) have.hardwareProfile = { ...have.hardwareProfile, vmSize: newSize };
  if (wantOs !== undefined && wantOs !== osDisk.diskSizeGB) {
    osDisk.diskSizeGB = wantOs;
    const disk = sim.world.get(String(osDisk.managedDisk?.id));
    if (disk) {
      disk.body.properties.diskSizeGB = wantOs;
      disk.body.properties.diskSizeBytes = wantOs * 1024 ** 3;
    }
  }
  if (networkProfile) {
    releaseNics(sim, have.networkProfile as Json, false, nicIds(networkProfile));
    have.networkProfile = networkProfile;
    bindNics(sim, vm.id, networkProfile);
  }
  if (typeof props.userData === "string") vm.internal.userData = props.userData;
  for (const [k, v] of Object.entries(props)) if (!MANAGED_VM_PROPS.has(k)) have[k] = clone(v);
  have.provisioningState = "Updating";
  if (resized && powerOf(vm) === "running") vm.internal.power = "starting";
  sim.world.touch();
  const op = sim.ops.start({
    operation: isPut ? "virtualMachines.createOrUpdate" : "virtualMachines.update",
    namespace: "Microsoft.Compute",
    location,
    apiVersion: req.apiVersion,
    resource: vm,
    complete: () => settle(vm, "Succeeded"),
    fail: () => settle(vm, "Failed"),
  });
  return { status: 200, body: renderVm(vm), headers: lroHeaders(sim, op, { async: true }) };
}
