import { createHash } from "node:crypto";
import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { copySource, startDiskOp } from "./disks.js";
import { invalidParameter } from "./errors.js";
import { now, seededUuid } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { assertIdle, checkSameLocation, listOfType, newResource, normalizeLocation, requireBody, requireLocation, requireResource, tagsOf } from "./resources.js";

const TYPE = "Microsoft.Compute/snapshots";
const SKUS = ["Standard_LRS", "Premium_LRS", "Standard_ZRS"];

/**
 * Snapshots (modular compute client, api-version 2025-01-02): PUT `creationData: {createOption:
 * "Copy"|"CopyStart", sourceResourceId}` of a disk (or snapshot), optionally `incremental: true`
 * (then `incrementalSnapshotFamilyId` is the same for every incremental snapshot of one disk); 202
 * with body `provisioningState: "Updating"` and both poll headers. An existing snapshot only takes
 * new tags (PUT or PATCH). DELETE 202 + both headers, 204 when missing. Lists page.
 */
export const snapshotHandlers: ResourceTypeHandlers = {
  key: "microsoft.compute/snapshots",
  apiVersionKey: "microsoft.compute/snapshots",
  get: (sim, _req, ref) => ({ status: 200, body: clone(requireResource(sim, ref).body) }),
  put(sim, req, ref) {
    const body = requireBody(req);
    const snap = sim.world.get(ref.id);
    if (!snap) return create(sim, req, ref, body);
    assertIdle(snap);
    checkSameLocation(snap, body, ref);
    snap.body.tags = tagsOf(body);
    return startDiskOp(sim, req, snap, "snapshots.createOrUpdate", { async: true, location: true }, () => {}, 202, true);
  },
  patch(sim, req, ref) {
    const snap = requireResource(sim, ref);
    assertIdle(snap);
    const body = requireBody(req);
    if (body.tags !== undefined) snap.body.tags = tagsOf(body);
    return startDiskOp(sim, req, snap, "snapshots.update", { async: true }, () => {}, 202, true);
  },
  delete(sim, req, ref) {
    const snap = sim.world.get(ref.id);
    if (!snap) return { status: 204 };
    assertIdle(snap);
    return startDiskOp(sim, req, snap, "snapshots.delete", { async: true, location: true }, () => sim.world.delete(snap.id), 202, false);
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (s) => clone(s.body)),
};

function create(sim: SimContext, req: ArmRequest, ref: ResourceRef, body: Json): ArmReply {
  const location = normalizeLocation(requireLocation(body));
  const props: Json = isObject(body.properties) ? body.properties : {};
  const cd: Json = isObject(props.creationData) ? props.creationData : {};
  const option = String(cd.createOption ?? "");
  if (!["copy", "copystart"].includes(option.toLowerCase())) {
    throw invalidParameter(`The value '${option}' of parameter 'creationData.createOption' is not supported by the simulator (use Copy or CopyStart).`, "creationData.createOption");
  }
  const src = copySource(sim, cd.sourceResourceId);
  const sku = body.sku?.name ?? "Standard_LRS";
  if (!SKUS.includes(String(sku))) throw invalidParameter(`Snapshot sku '${String(sku)}' is not supported (Standard_LRS, Premium_LRS, Standard_ZRS).`, "sku.name");
  const srcProps = src.body.properties as Json;
  const size = Number(srcProps.diskSizeGB);
  const incremental = props.incremental === true;
  const snap = newResource(ref, location, body);
  snap.body.sku = { name: sku, tier: "Standard" };
  snap.body.properties = {
    creationData: { createOption: option, sourceResourceId: src.id, sourceUniqueId: srcProps.uniqueId },
    diskSizeGB: size,
    diskSizeBytes: size * 1024 ** 3,
    incremental,
    uniqueId: seededUuid(sim.random),
    timeCreated: now(),
    provisioningState: "Updating",
    encryption: { type: "EncryptionAtRestWithPlatformKey" },
    networkAccessPolicy: "AllowAll",
    publicNetworkAccess: "Enabled",
    ...(srcProps.osType ? { osType: srcProps.osType } : {}),
  };
  if (incremental) snap.body.properties.incrementalSnapshotFamilyId = familyId(String(srcProps.uniqueId));
  sim.world.put(snap);
  return startDiskOp(sim, req, snap, "snapshots.createOrUpdate", { async: true, location: true }, () => {}, 202, true);
}

function familyId(sourceUniqueId: string): string {
  const h = createHash("sha256").update(sourceUniqueId).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
