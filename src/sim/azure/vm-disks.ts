import type { SimContext } from "./context.js";
import { createDisk, isDiskSku } from "./disk-model.js";
import { ArmError, invalidParameter } from "./errors.js";
import { isObject, type Json } from "./json.js";

/** The VM a disk operation is for. */
export interface VmDiskOwner {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  zones?: string[];
}

function attachable(sim: SimContext, owner: VmDiskOwner, diskId: unknown, what: string): Json {
  const disk = typeof diskId === "string" ? sim.world.get(diskId) : undefined;
  if (!disk || disk.type !== "Microsoft.Compute/disks") throw new ArmError(404, "NotFound", `The ${what} '${String(diskId)}' referenced by virtual machine '${owner.name}' was not found.`);
  const by = disk.body.managedBy;
  if (typeof by === "string" && by.toLowerCase() !== owner.id.toLowerCase()) {
    throw new ArmError(409, "OperationNotAllowed", `Disk '${disk.body.name}' is already attached to VM '${by}'.`, { target: "managedDisk.id" });
  }
  return disk.body;
}

/**
 * Validates a VM's `osDisk` and creates or attaches its managed disk: `FromImage` creates
 * `{vm}_OsDisk_1_<hex>` (or the given name) of `diskSizeGB` (default 30) and SKU
 * `managedDisk.storageAccountType` (default Premium_LRS); `Attach` takes the existing unattached disk
 * named by `managedDisk.id`. Returns the stored `osDisk` wire shape.
 */
export function provisionOsDisk(sim: SimContext, owner: VmDiskOwner, osDisk: unknown, imageReference: unknown): Json {
  if (!isObject(osDisk)) throw invalidParameter("Required parameter 'osDisk' is missing (null).", "osDisk");
  const option = String(osDisk.createOption ?? "FromImage");
  const sku = osDisk.managedDisk?.storageAccountType ?? "Premium_LRS";
  if (!isDiskSku(sku)) throw invalidParameter(`Storage account type '${String(sku)}' is not supported.`, "osDisk.managedDisk.storageAccountType");
  const out: Json = { osType: "Linux", createOption: option, caching: osDisk.caching ?? "ReadWrite", deleteOption: osDisk.deleteOption ?? "Detach" };
  if (option.toLowerCase() === "attach") {
    const disk = attachable(sim, owner, osDisk.managedDisk?.id, "OS disk");
    disk.managedBy = owner.id;
    return { ...out, name: disk.name, managedDisk: { id: disk.id, storageAccountType: disk.sku?.name }, diskSizeGB: disk.properties.diskSizeGB };
  }
  if (option.toLowerCase() !== "fromimage") throw invalidParameter(`The value '${option}' of parameter 'osDisk.createOption' is not supported.`, "osDisk.createOption");
  if (!isObject(imageReference)) throw invalidParameter("Required parameter 'imageReference' is missing (null).", "imageReference");
  const size = Number(osDisk.diskSizeGB ?? 30);
  if (!Number.isInteger(size) || size < 1 || size > 4095) throw invalidParameter(`The value ${String(osDisk.diskSizeGB)} of parameter 'osDisk.diskSizeGB' is out of range.`, "osDisk.diskSizeGB");
  const name = typeof osDisk.name === "string" ? osDisk.name : `${owner.name}_OsDisk_1_${sim.random.hex(16)}`;
  const img = imageReference;
  const disk = createDisk(sim, {
    resourceGroup: owner.resourceGroup,
    name,
    location: owner.location,
    sku,
    sizeGB: size,
    osType: "Linux",
    managedBy: owner.id,
    ...(owner.zones ? { zones: owner.zones } : {}),
    creationData: {
      createOption: "FromImage",
      imageReference: { id: `/Subscriptions/${sim.world.subscriptionId}/Providers/Microsoft.Compute/Locations/${owner.location}/Publishers/${img.publisher}/ArtifactTypes/VMImage/Offers/${img.offer}/Skus/${img.sku}/Versions/${img.version ?? "latest"}` },
    },
  });
  return { ...out, name, managedDisk: { id: disk.id, storageAccountType: sku }, diskSizeGB: size };
}

/**
 * Brings a VM's data disks to `wanted` (matched by `lun`): new `Empty` entries create a disk
 * (`{vm}_DataDisk_{lun}` unless named), `Attach` entries attach an existing unattached disk, entries
 * that disappear are detached (the disk stays). Everything is validated before anything changes.
 * Returns the stored `dataDisks` wire array.
 */
export function reconcileDataDisks(sim: SimContext, owner: VmDiskOwner, wanted: unknown, current: Json[]): Json[] {
  const list = Array.isArray(wanted) ? (wanted as Json[]) : [];
  const luns = new Set<number>();
  const byLun = new Map(current.map((d) => [Number(d.lun), d]));
  const steps: Array<() => Json> = [];
  for (const d of list) {
    const lun = Number(d.lun);
    if (!Number.isInteger(lun) || lun < 0 || lun > 63 || luns.has(lun)) throw invalidParameter(`Data disk lun '${String(d.lun)}' is invalid or used twice.`, "dataDisks.lun");
    luns.add(lun);
    const have = byLun.get(lun);
    if (have) {
      steps.push(() => ({ ...have, caching: d.caching ?? have.caching, deleteOption: d.deleteOption ?? have.deleteOption }));
      continue;
    }
    const option = String(d.createOption ?? "Empty").toLowerCase();
    const base = { lun, caching: d.caching ?? "None", deleteOption: d.deleteOption ?? "Detach", toBeDetached: false };
    if (option === "attach") {
      const disk = attachable(sim, owner, d.managedDisk?.id, "data disk");
      steps.push(() => {
        disk.managedBy = owner.id;
        return { ...base, name: disk.name, createOption: "Attach", managedDisk: { id: disk.id, storageAccountType: disk.sku?.name }, diskSizeGB: disk.properties.diskSizeGB };
      });
    } else if (option === "empty") {
      const size = Number(d.diskSizeGB);
      if (!Number.isInteger(size) || size < 1 || size > 32767) throw invalidParameter(`The value ${String(d.diskSizeGB)} of parameter 'dataDisks.diskSizeGB' is out of range.`, "dataDisks.diskSizeGB");
      const sku = d.managedDisk?.storageAccountType ?? "Premium_LRS";
      if (!isDiskSku(sku)) throw invalidParameter(`Storage account type '${String(sku)}' is not supported.`, "dataDisks.managedDisk.storageAccountType");
      const name = typeof d.name === "string" ? d.name : `${owner.name}_DataDisk_${lun}`;
      steps.push(() => {
        const disk = createDisk(sim, { resourceGroup: owner.resourceGroup, name, location: owner.location, sku, sizeGB: size, managedBy: owner.id, creationData: { createOption: "Empty" } });
        return { ...base, name, createOption: "Empty", managedDisk: { id: disk.id, storageAccountType: sku }, diskSizeGB: size };
      });
    } else {
      throw invalidParameter(`The value '${String(d.createOption)}' of parameter 'dataDisks.createOption' is not supported.`, "dataDisks.createOption");
    }
  }
  const out = steps.map((s) => s());
  for (const d of current) if (!luns.has(Number(d.lun))) detach(sim, d, false);
  sim.world.touch();
  return out.sort((a, b) => a.lun - b.lun);
}

/** Detaches a disk from its VM, deleting it instead when `honourDeleteOption` and its `deleteOption` is `Delete`. */
export function detach(sim: SimContext, diskEntry: Json, honourDeleteOption: boolean): void {
  const id = diskEntry.managedDisk?.id;
  if (typeof id !== "string") return;
  if (honourDeleteOption && String(diskEntry.deleteOption).toLowerCase() === "delete") {
    sim.world.delete(id);
    return;
  }
  const disk = sim.world.get(id);
  if (disk) delete disk.body.managedBy;
}

