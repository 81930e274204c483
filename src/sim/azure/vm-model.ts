import { createHash } from "node:crypto";
import { now } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { tagsOf } from "./resources.js";
import type { StoredResource } from "./world.js";

/** Power states of a VM (`PowerState/<state>` in the instance view). */
export type PowerState = "starting" | "running" | "stopping" | "stopped" | "deallocating" | "deallocated";

/** The display strings Azure pairs with each power state. */
const POWER_DISPLAY: Record<PowerState, string> = {
  starting: "VM starting",
  running: "VM running",
  stopping: "VM stopping",
  stopped: "VM stopped",
  deallocating: "VM deallocating",
  deallocated: "VM deallocated",
};

/** Where a transitional power state ends. */
export const POWER_SETTLES_TO: Record<PowerState, PowerState> = {
  starting: "running",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
  deallocating: "deallocated",
  deallocated: "deallocated",
};

/** The VM's power state (internal; `running` if never set). */
export function powerOf(vm: StoredResource): PowerState {
  return (vm.internal.power as PowerState | undefined) ?? "running";
}

/** True when the VM holds no hardware (deallocated), the state in which any size or NIC change is allowed. */
export function isDeallocated(vm: StoredResource): boolean {
  return powerOf(vm) === "deallocated";
}

/** A stable digest of a write-only value (customData), kept to detect changes without storing the secret. */
export function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/**
 * The VM instance view (`GET …/instanceView`, or `properties.instanceView` with
 * `$expand=instanceView` / `statusOnly=true`): computer name, OS, and the two statuses
 * `ProvisioningState/<state>` and `PowerState/<state>` with Azure's display strings.
 */
export function instanceView(vm: StoredResource): Json {
  const props = vm.body.properties as Json;
  const prov = String(props.provisioningState ?? "Succeeded");
  const power = powerOf(vm);
  const statuses: Json[] = [
    {
      code: `ProvisioningState/${prov.toLowerCase()}`,
      level: prov === "Failed" ? "Error" : "Info",
      displayStatus: prov === "Succeeded" ? "Provisioning succeeded" : prov === "Failed" ? "Provisioning failed" : `${prov}`,
      ...(prov === "Succeeded" || prov === "Failed" ? { time: String(vm.internal.provisionedAt ?? props.timeCreated) } : {}),
    },
    { code: `PowerState/${power}`, level: "Info", displayStatus: POWER_DISPLAY[power] },
  ];
  const view: Json = {
    computerName: props.osProfile?.computerName,
    osName: props.storageProfile?.imageReference?.offer ?? "Linux",
    osVersion: props.storageProfile?.imageReference?.sku ?? "",
    hyperVGeneration: "V2",
    statuses,
  };
  if (power === "running") view.vmAgent = { vmAgentVersion: "2.13.1.1", statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Ready", message: "Guest Agent is running" }] };
  const disks: Json[] = [];
  const osDisk = props.storageProfile?.osDisk;
  if (osDisk?.name) disks.push({ name: osDisk.name, statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" }] });
  for (const d of (props.storageProfile?.dataDisks ?? []) as Json[]) {
    disks.push({ name: d.name, statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" }] });
  }
  view.disks = disks;
  return view;
}

/**
 * The VM's wire body for GET/list. `instanceView` adds `properties.instanceView`; `userData` adds
 * `properties.userData` (returned only with `$expand=userData`). `customData` and `adminPassword`
 * are write-only and never returned.
 */
export function renderVm(vm: StoredResource, opts: { instanceView?: boolean; userData?: boolean } = {}): Json {
  const body = clone(vm.body);
  if (opts.instanceView) body.properties.instanceView = instanceView(vm);
  if (opts.userData && typeof vm.internal.userData === "string") body.properties.userData = vm.internal.userData;
  return body;
}

/** Reads `$expand` (plain or percent-encoded `%24expand`, which URLSearchParams decodes) from a request URL. */
export function expandOf(url: URL): string {
  return (url.searchParams.get("$expand") ?? "").toLowerCase();
}

/** Properties the simulator manages itself; other request properties are stored as given. */
export const MANAGED_VM_PROPS = new Set(["hardwareProfile", "storageProfile", "osProfile", "networkProfile", "userData", "provisioningState", "vmId", "instanceView", "timeCreated"]);

/** Ends a VM operation: sets `provisioningState` and lets a transitional power state arrive. */
export function settle(vm: StoredResource, state: "Succeeded" | "Failed"): void {
  const props = vm.body.properties as Json;
  props.provisioningState = state;
  vm.internal.provisionedAt = now();
  const power = vm.internal.power as PowerState | undefined;
  if (state === "Failed") vm.internal.power = power === "starting" ? "stopped" : power;
  else if (power === "starting") {
    vm.internal.power = "running";
    vm.internal.startedAt = Date.now(); // a new boot of the guest
  }
}

/** Tags for a VM write: PUT replaces them (absent → none), PATCH replaces them only when given. */
export function nextTags(body: Json, current: unknown, isPut: boolean): Record<string, string> {
  if (isPut || body.tags !== undefined) return tagsOf(body);
  return isObject(current) ? (clone(current) as Record<string, string>) : {};
}
