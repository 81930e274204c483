import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { createDisk, isDiskSku, renderDisk } from "./disk-model.js";
import { ArmError, invalidParameter } from "./errors.js";
import { isObject, type Json } from "./json.js";
import { lroHeaders } from "./operation-routes.js";
import { assertIdle, checkSameLocation, listOfType, nameOf, normalizeLocation, requireBody, requireLocation, requireResource, tagsOf } from "./resources.js";
import type { StoredResource } from "./world.js";

const TYPE = "Microsoft.Compute/disks";

/**
 * Managed disks (modular compute client, api-version 2025-01-02). PUT (create or update) answers 202
 * with the body (`provisioningState: "Updating"`) and both `Azure-AsyncOperation` and `Location`
 * (the SDK's final GET for a PUT is the request URL); PATCH answers 202 with only
 * `Azure-AsyncOperation`; DELETE 202 + both headers, 204 when missing, 409 `OperationNotAllowed` while
 * attached (`managedBy`). Create from `Empty` (needs `diskSizeGB`) or `Copy` of a disk or snapshot.
 * Updates: tags, growing `diskSizeGB` (refused with 409 `OperationNotAllowed` /
 * `ChangeDiskSizeWhileAttachedNotAllowed` while its VM is allocated; shrinking always refused) and
 * `sku` (only while unattached or its VM is deallocated).
 */
export const diskHandlers: ResourceTypeHandlers = {
  key: "microsoft.compute/disks",
  apiVersionKey: "microsoft.compute/disks",
  get: (sim, _req, ref) => ({ status: 200, body: renderDisk(sim, requireResource(sim, ref)) }),
  put(sim, req, ref) {
    const body = requireBody(req);
    const disk = sim.world.get(ref.id);
    return disk ? updateDisk(sim, req, ref, disk, body, true) : create(sim, req, ref, body);
  },
  patch: (sim, req, ref) => updateDisk(sim, req, ref, requireResource(sim, ref), requireBody(req), false),
  delete(sim, req, ref) {
    const disk = sim.world.get(ref.id);
    if (!disk) return { status: 204 };
    assertIdle(disk);
    if (typeof disk.body.managedBy === "string") {
      throw new ArmError(409, "OperationNotAllowed", `Disk ${nameOf(ref)} is attached to VM ${disk.body.managedBy}.`);
    }
    return startDiskOp(sim, req, disk, "disks.delete", { async: true, location: true }, () => sim.world.delete(disk.id), 202, false);
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (d) => renderDisk(sim, d)),
};

/** What a `Copy` creation copies from: an existing disk or snapshot (404 `NotFound` otherwise). */
export function copySource(sim: SimContext, sourceId: unknown): StoredResource {
  const src = typeof sourceId === "string" ? sim.world.get(sourceId) : undefined;
  if (!src || (src.type !== "Microsoft.Compute/disks" && src.type !== "Microsoft.Compute/snapshots")) {
    throw new ArmError(404, "NotFound", `Source resource '${String(sourceId)}' was not found.`, { target: "sourceResourceId" });
  }
  return src;
}

function create(sim: SimContext, req: ArmRequest, ref: ResourceRef, body: Json): ArmReply {
  const location = normalizeLocation(requireLocation(body));
  const props: Json = isObject(body.properties) ? body.properties : {};
  const cd: Json = isObject(props.creationData) ? props.creationData : {};
  const sku = body.sku?.name ?? "Standard_LRS";
  if (!isDiskSku(sku)) throw invalidParameter(`Disk sku '${String(sku)}' is not supported.`, "sku.name");
  const option = String(cd.createOption ?? "");
  let size = Number(props.diskSizeGB);
  const creationData: Json = { createOption: option };
  if (option.toLowerCase() === "copy") {
    const src = copySource(sim, cd.sourceResourceId);
    creationData.sourceResourceId = src.id;
    creationData.sourceUniqueId = src.body.properties.uniqueId;
    if (!Number.isFinite(size)) size = Number(src.body.properties.diskSizeGB);
  } else if (option.toLowerCase() !== "empty") {
    throw invalidParameter(`The value '${option}' of parameter 'creationData.createOption' is not supported by the simulator (use Empty or Copy).`, "creationData.createOption");
  }
  if (!Number.isInteger(size) || size < 1 || size > 32767) throw invalidParameter("Disk size must be given in GB (1–32767) when creating an empty disk.", "diskSizeGB");
  const disk = createDisk(sim, { resourceGroup: ref.resourceGroup, name: nameOf(ref), location, sku, sizeGB: size, creationData, tags: tagsOf(body), ...(Array.isArray(body.zones) ? { zones: body.zones as string[] } : {}) });
  return startDiskOp(sim, req, disk, "disks.createOrUpdate", { async: true, location: true }, () => {}, 202, true);
}

function updateDisk(sim: SimContext, req: ArmRequest, ref: ResourceRef, disk: StoredResource, body: Json, isPut: boolean): ArmReply {
  assertIdle(disk);
  if (isPut) checkSameLocation(disk, body, ref);
  const props: Json = isObject(body.properties) ? body.properties : {};
  const have = disk.body.properties as Json;
  const vmId = typeof disk.body.managedBy === "string" ? disk.body.managedBy : undefined;
  const allocated = vmId !== undefined && sim.world.get(vmId)?.internal.power !== "deallocated";
  const size = props.diskSizeGB as number | undefined;
  if (size !== undefined && size !== have.diskSizeGB) {
    if (size < Number(have.diskSizeGB)) throw new ArmError(409, "OperationNotAllowed", `Disk '${nameOf(ref)}' cannot be resized from ${String(have.diskSizeGB)} GB to ${size} GB: shrinking a disk is not supported.`, { target: "diskSizeGB" });
    if (allocated) {
      throw new ArmError(409, "OperationNotAllowed", `Cannot resize disk ${nameOf(ref)} while it is attached to running VM ${String(vmId)}. Resizing a disk of an Azure Virtual Machine requires the virtual machine to be deallocated. Please stop your VM and retry the operation.`, {
        innererror: { code: "ChangeDiskSizeWhileAttachedNotAllowed" },
      });
    }
  }
  const sku = body.sku?.name as string | undefined;
  if (sku !== undefined && sku !== disk.body.sku?.name) {
    if (!isDiskSku(sku)) throw invalidParameter(`Disk sku '${sku}' is not supported.`, "sku.name");
    if (allocated) throw new ArmError(409, "OperationNotAllowed", `Changing the sku of disk ${nameOf(ref)} is only allowed while it is unattached or its VM is deallocated.`, { target: "sku" });
  }
  if (isPut || body.tags !== undefined) disk.body.tags = tagsOf(body);
  if (size !== undefined) {
    have.diskSizeGB = size;
    have.diskSizeBytes = size * 1024 ** 3;
    syncVmDiskSize(sim, vmId, disk.id, size);
  }
  if (sku !== undefined) disk.body.sku = { name: sku, tier: sku.toLowerCase().startsWith("premium") ? "Premium" : "Standard" };
  return startDiskOp(sim, req, disk, isPut ? "disks.createOrUpdate" : "disks.update", isPut ? { async: true, location: true } : { async: true }, () => {}, 202, true);
}

function syncVmDiskSize(sim: SimContext, vmId: string | undefined, diskId: string, size: number): void {
  const vm = vmId ? sim.world.get(vmId) : undefined;
  const sp = vm?.body.properties?.storageProfile as Json | undefined;
  if (!sp) return;
  for (const d of [sp.osDisk, ...((sp.dataDisks ?? []) as Json[])] as Json[]) if (String(d?.managedDisk?.id).toLowerCase() === diskId.toLowerCase()) d.diskSizeGB = size;
}

/** Runs a disk/snapshot operation: `Updating` (or `Deleting`) until done, then `Succeeded` (or `Failed`). */
export function startDiskOp(sim: SimContext, req: ArmRequest, res: StoredResource, operation: string, headers: { async?: boolean; location?: boolean }, complete: () => void, status: number, withBody: boolean): ArmReply {
  const props = res.body.properties as Json;
  const deleting = operation.endsWith(".delete");
  props.provisioningState = deleting ? "Deleting" : "Updating";
  const op = sim.ops.start({
    operation,
    namespace: "Microsoft.Compute",
    location: String(res.body.location),
    apiVersion: req.apiVersion,
    resource: res,
    complete: () => {
      props.provisioningState = "Succeeded";
      complete();
    },
    fail: () => {
      props.provisioningState = "Failed";
    },
  });
  sim.world.touch();
  const body = withBody ? (res.type === TYPE ? renderDisk(sim, res) : structuredClone(res.body)) : undefined;
  return { status, ...(body ? { body } : {}), headers: lroHeaders(sim, op, headers) };
}
