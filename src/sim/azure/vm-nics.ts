import type { SimContext } from "./context.js";
import { ArmError, invalidParameter, invalidReference } from "./errors.js";
import { isObject, type Json } from "./json.js";
import { removeNic } from "./network-interfaces.js";
import { normalizeLocation } from "./resources.js";

/**
 * Validates a VM's `networkProfile` and returns its stored wire shape: at least one NIC, each must
 * exist (400 `InvalidResourceReference`), be in the VM's location, and not belong to another VM (400
 * `NicInUse`). A single NIC is made primary. Nothing is changed.
 */
export function checkNics(sim: SimContext, vmId: string, location: string, networkProfile: unknown): Json {
  const nics = isObject(networkProfile) && Array.isArray(networkProfile.networkInterfaces) ? (networkProfile.networkInterfaces as Json[]) : [];
  if (nics.length === 0) throw invalidParameter("At least one network interface is required to create or update a virtual machine.", "networkProfile");
  const out = nics.map((n, i) => {
    const id = typeof n.id === "string" ? n.id : "";
    const nic = sim.world.get(id);
    if (!nic || nic.type !== "Microsoft.Network/networkInterfaces" || normalizeLocation(String(nic.body.location)) !== normalizeLocation(location)) throw invalidReference(id, vmId);
    const owner = nic.body.properties?.virtualMachine?.id;
    if (typeof owner === "string" && owner.toLowerCase() !== vmId.toLowerCase()) {
      throw new ArmError(400, "NicInUse", `Network Interface ${nic.id} is used by existing resource ${owner}. In order to use this network interface for a different resource, remove it from the existing resource.`);
    }
    const p = isObject(n.properties) ? n.properties : {};
    const props: Json = { primary: p.primary ?? (nics.length === 1 || i === 0) };
    if (p.deleteOption !== undefined) props.deleteOption = p.deleteOption;
    return { id: nic.id, properties: props };
  });
  return { networkInterfaces: out };
}

/** Marks the profile's NICs as used by the VM (`properties.virtualMachine.id`). */
export function bindNics(sim: SimContext, vmId: string, profile: Json): void {
  for (const n of profile.networkInterfaces as Json[]) {
    const nic = sim.world.get(String(n.id));
    if (nic) nic.body.properties.virtualMachine = { id: vmId };
  }
  sim.world.touch();
}

/**
 * Releases the profile's NICs from the VM; with `honourDeleteOption`, NICs whose `deleteOption` is
 * `Delete` are deleted (what a VM delete does).
 */
export function releaseNics(sim: SimContext, profile: Json | undefined, honourDeleteOption: boolean, keep: string[] = []): void {
  for (const n of ((profile?.networkInterfaces ?? []) as Json[])) {
    const id = String(n.id);
    if (keep.includes(id.toLowerCase())) continue;
    const nic = sim.world.get(id);
    if (!nic) continue;
    if (honourDeleteOption && String(n.properties?.deleteOption ?? "").toLowerCase() === "delete") removeNic(sim, nic);
    else delete nic.body.properties.virtualMachine;
  }
  sim.world.touch();
}
