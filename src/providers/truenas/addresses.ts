import type { DesiredResource } from "../../manifest/model.js";
import type { GuestSpec } from "../../manifest/schema/index.js";
import type { ObservedResource } from "../contract.js";

/**
 * TrueNAS does not know its VMs' IP addresses (no guest agent in its API), so a VM's address is the
 * one its manifest declares in `spec.guest.address` (`{name}` filled in). Matched by this stack's
 * marker, else by the name at TrueNAS.
 */
export function withDeclaredAddresses(observed: ObservedResource[], desired: DesiredResource[] | undefined, stack: string): void {
  const byAddress = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const r of desired ?? []) {
    const address = (r.spec as { guest?: GuestSpec }).guest?.address;
    if (r.kind !== "VirtualMachine" || r.attachmentOf !== undefined || address === undefined) continue;
    const value = address.split("{name}").join(r.name);
    byAddress.set(r.address, value);
    byName.set(r.externalName ?? r.name, value);
  }
  for (const o of observed) {
    if (o.kind !== "VirtualMachine") continue;
    const value = (o.marker?.stack === stack ? byAddress.get(o.marker.address) : undefined) ?? (o.marker ? undefined : byName.get(o.name));
    if (value) o.status = { ...o.status, addresses: [value] };
  }
}
