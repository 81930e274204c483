import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, invalidParameter } from "./errors.js";
import { seededUuid, now } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { lroHeaders } from "./operation-routes.js";
import { assertIdle, listOfType, nameOf, newResource, normalizeLocation, requireBody, requireLocation, requireResource } from "./resources.js";
import { vmActions } from "./vm-actions.js";
import { detach, provisionOsDisk, reconcileDataDisks } from "./vm-disks.js";
import { digest, expandOf, MANAGED_VM_PROPS, renderVm, settle, type PowerState } from "./vm-model.js";
import { bindNics, checkNics, releaseNics } from "./vm-nics.js";
import { requireSize } from "./vm-sizes.js";
import { updateVm } from "./vm-update.js";

const TYPE = "Microsoft.Compute/virtualMachines";

/**
 * Virtual machines (modular `ComputeManagementClient`, api-version 2026-03-01):
 * - PUT new → 201 with `provisioningState: "Creating"` and only `Azure-AsyncOperation`; the OS disk
 *   (and `Empty` data disks) are created as managed disks, NICs are bound; when the operation ends the
 *   VM is `Succeeded` and `PowerState/running`.
 * - PUT existing / PATCH → see `updateVm` (200, `Updating`, only `Azure-AsyncOperation`).
 * - GET (`$expand=instanceView|userData`), list per group / subscription / location with paging;
 *   `$expand=instanceView` or `statusOnly=true` on a list adds each VM's instance view.
 * - DELETE → 202 with `Azure-AsyncOperation` + `Location`; disks and NICs follow their `deleteOption`;
 *   a missing VM → 204.
 * - actions: see vm-actions.ts.
 */
export const virtualMachineHandlers: ResourceTypeHandlers = {
  key: "microsoft.compute/virtualmachines",
  apiVersionKey: "microsoft.compute/virtualmachines",
  get(sim, req, ref) {
    const vm = requireResource(sim, ref);
    const expand = expandOf(req.url);
    return { status: 200, body: renderVm(vm, { instanceView: expand.includes("instanceview"), userData: expand.includes("userdata") }) };
  },
  put(sim, req, ref) {
    const body = requireBody(req);
    const vm = sim.world.get(ref.id);
    return vm ? updateVm(sim, req, ref, vm, body, true) : createVm(sim, req, ref, body);
  },
  patch(sim, req, ref) {
    return updateVm(sim, req, ref, requireResource(sim, ref), requireBody(req), false);
  },
  delete(sim, req, ref) {
    const vm = sim.world.get(ref.id);
    if (!vm) return { status: 204 };
    assertIdle(vm);
    const props = vm.body.properties as Json;
    props.provisioningState = "Deleting";
    const op = sim.ops.start({
      operation: "virtualMachines.delete",
      namespace: "Microsoft.Compute",
      location: String(vm.body.location),
      apiVersion: req.apiVersion,
      resource: vm,
      complete: () => {
        releaseNics(sim, props.networkProfile as Json, true);
        detach(sim, props.storageProfile?.osDisk ?? {}, true);
        for (const d of (props.storageProfile?.dataDisks ?? []) as Json[]) detach(sim, d, true);
        sim.world.delete(vm.id);
      },
      fail: () => {
        props.provisioningState = "Failed";
      },
    });
    sim.world.touch();
    return { status: 202, headers: lroHeaders(sim, op, { async: true, location: true }) };
  },
  list(sim, req, scope) {
    const withView = expandOf(req.url).includes("instanceview") || req.url.searchParams.get("statusOnly") === "true";
    return listOfType(sim, req, scope, TYPE, (vm) => renderVm(vm, { instanceView: withView }));
  },
  actions: vmActions,
};

function createVm(sim: SimContext, req: ArmRequest, ref: ResourceRef, body: Json): ArmReply {
  const location = normalizeLocation(requireLocation(body));
  const props: Json = isObject(body.properties) ? body.properties : {};
  const name = nameOf(ref);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new ArmError(400, "InvalidResourceName", `The resource name '${name}' is invalid.`);
  const size = requireSize(props.hardwareProfile?.vmSize, location);
  const sp: Json = isObject(props.storageProfile) ? props.storageProfile : {};
  const fromImage = String(sp.osDisk?.createOption ?? "FromImage").toLowerCase() === "fromimage";
  const os = props.osProfile;
  if (fromImage && (!isObject(os) || typeof os.adminUsername !== "string")) throw invalidParameter("Required parameter 'osProfile' is missing (null).", "osProfile");
  const networkProfile = checkNics(sim, ref.id, location, props.networkProfile);
  const zones = Array.isArray(body.zones) ? (body.zones as string[]) : undefined;
  const owner = { id: ref.id, name, resourceGroup: ref.resourceGroup, location, ...(zones ? { zones } : {}) };
  const before = new Set(sim.world.list("Microsoft.Compute/disks", { resourceGroup: ref.resourceGroup }).map((d) => d.id));
  let osDisk: Json;
  let dataDisks: Json[];
  try {
    dataDisks = reconcileDataDisks(sim, owner, sp.dataDisks, []);
    osDisk = provisionOsDisk(sim, owner, sp.osDisk ?? {}, sp.imageReference);
  } catch (err) {
    rollbackDisks(sim, ref, before);
    throw err;
  }
  const vm = newResource(ref, location, body, { power: "starting" satisfies PowerState });
  if (zones) vm.body.zones = clone(zones);
  const stored: Json = {};
  for (const [k, v] of Object.entries(props)) if (!MANAGED_VM_PROPS.has(k)) stored[k] = clone(v);
  Object.assign(stored, {
    vmId: seededUuid(sim.random),
    hardwareProfile: { ...clone(props.hardwareProfile), vmSize: size.name },
    storageProfile: { ...(isObject(sp.imageReference) ? { imageReference: clone(sp.imageReference) } : {}), osDisk, dataDisks },
    networkProfile,
    provisioningState: "Creating",
    timeCreated: now(),
  });
  if (isObject(os)) {
    const o = clone(os);
    if (typeof o.customData === "string") vm.internal.customDataDigest = digest(o.customData);
    delete o.customData;
    delete o.adminPassword;
    stored.osProfile = { ...o, secrets: o.secrets ?? [] };
  }
  if (typeof props.userData === "string") vm.internal.userData = props.userData;
  vm.body.properties = stored;
  sim.world.put(vm);
  bindNics(sim, vm.id, networkProfile);
  const op = sim.ops.start({
    operation: "virtualMachines.createOrUpdate",
    namespace: "Microsoft.Compute",
    location,
    apiVersion: req.apiVersion,
    resource: vm,
    complete: () => settle(vm, "Succeeded"),
    fail: () => settle(vm, "Failed"),
  });
  return { status: 201, body: renderVm(vm), headers: lroHeaders(sim, op, { async: true }) };
}

function rollbackDisks(sim: SimContext, ref: ResourceRef, before: Set<string>): void {
  for (const d of sim.world.list("Microsoft.Compute/disks", { resourceGroup: ref.resourceGroup })) {
    if (String(d.body.managedBy ?? "").toLowerCase() !== ref.id.toLowerCase()) continue;
    if (before.has(d.id)) delete d.body.managedBy;
    else sim.world.delete(d.id);
  }
}
