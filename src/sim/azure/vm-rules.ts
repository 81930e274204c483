import { ArmError } from "./errors.js";
import { isObject, jsonEqual, type Json } from "./json.js";
import { digest } from "./vm-model.js";
import type { StoredResource } from "./world.js";

/** 409 `PropertyChangeNotAllowed` with ARM's text and the property as `target`. */
export function propertyChangeNotAllowed(property: string): ArmError {
  return new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${property}' is not allowed.`, { target: property });
}

function keysOf(ssh: unknown): string[] {
  const keys = isObject(ssh) && Array.isArray(ssh.publicKeys) ? (ssh.publicKeys as Json[]) : [];
  return keys.map((k) => `${String(k.path ?? "")}|${String(k.keyData ?? "").trim()}`).sort();
}

function imageKey(ref: unknown): Json | undefined {
  if (!isObject(ref)) return undefined;
  const pick: Json = {};
  for (const k of ["publisher", "offer", "sku", "version", "id", "sharedGalleryImageId", "communityGalleryImageId"]) {
    if (ref[k] !== undefined) pick[k] = String(ref[k]).toLowerCase();
  }
  return pick;
}

/**
 * Refuses changes to VM properties Azure fixes at creation (reference §8) with 409
 * `PropertyChangeNotAllowed`. `props` is the request's `properties` (PUT) or the PATCH's; absent
 * fields mean "unchanged", except that a PUT without `osProfile` on a VM that has one is refused as
 * a change of `osProfile`. Checked: `osProfile` (computerName, adminUsername, customData by digest,
 * `linuxConfiguration.ssh.publicKeys`, `linuxConfiguration.disablePasswordAuthentication`),
 * `storageProfile.imageReference`, `osDisk.createOption`, and `zones`.
 */
export function checkImmutable(vm: StoredResource, body: Json, isPut: boolean): void {
  const have = vm.body.properties as Json;
  const props = isObject(body.properties) ? body.properties : {};
  const os = props.osProfile;
  if (isPut && os === undefined && have.osProfile !== undefined) throw propertyChangeNotAllowed("osProfile");
  if (isObject(os)) {
    const hos = (have.osProfile ?? {}) as Json;
    if (os.computerName !== undefined && os.computerName !== hos.computerName) throw propertyChangeNotAllowed("computerName");
    if (os.adminUsername !== undefined && os.adminUsername !== hos.adminUsername) throw propertyChangeNotAllowed("adminUsername");
    if (typeof os.customData === "string" && digest(os.customData) !== vm.internal.customDataDigest) throw propertyChangeNotAllowed("customData");
    const lc = os.linuxConfiguration;
    const hlc = (hos.linuxConfiguration ?? {}) as Json;
    if (isObject(lc)) {
      if (lc.ssh !== undefined && !jsonEqual(keysOf(lc.ssh), keysOf(hlc.ssh))) throw propertyChangeNotAllowed("linuxConfiguration.ssh.publicKeys");
      if (lc.disablePasswordAuthentication !== undefined && Boolean(lc.disablePasswordAuthentication) !== Boolean(hlc.disablePasswordAuthentication)) {
        throw propertyChangeNotAllowed("linuxConfiguration.disablePasswordAuthentication");
      }
    }
  }
  const sp = props.storageProfile;
  if (isObject(sp)) {
    const hsp = (have.storageProfile ?? {}) as Json;
    if (sp.imageReference !== undefined && !jsonEqual(imageKey(sp.imageReference), imageKey(hsp.imageReference))) throw propertyChangeNotAllowed("imageReference");
    const oc = isObject(sp.osDisk) ? sp.osDisk.createOption : undefined;
    if (oc !== undefined && String(oc).toLowerCase() !== String(hsp.osDisk?.createOption ?? "").toLowerCase()) throw propertyChangeNotAllowed("osDisk.createOption");
  }
  if (body.zones !== undefined && !jsonEqual(body.zones ?? [], vm.body.zones ?? [])) throw propertyChangeNotAllowed("zones");
}

/** The NIC ids of a network profile, lower-cased and sorted (for change detection). */
export function nicIds(networkProfile: unknown): string[] {
  const nics = isObject(networkProfile) && Array.isArray(networkProfile.networkInterfaces) ? (networkProfile.networkInterfaces as Json[]) : [];
  return nics.map((n) => String(n.id ?? "").toLowerCase()).sort();
}
