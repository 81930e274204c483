import type { ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, invalidParameter, invalidReference } from "./errors.js";
import { macAddress, weakEtag } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { ipToString, parseCidr, startNetworkDelete, startNetworkPut } from "./network-common.js";
import { assertIdle, beginPut, listOfType, newResource, normalizeLocation, requireResource, tagsOf } from "./resources.js";
import { findSubnet } from "./virtual-networks.js";
import type { StoredResource } from "./world.js";

const TYPE = "Microsoft.Network/networkInterfaces";
const TYPE_LOWER = TYPE.toLowerCase();

/** Private addresses in use in a subnet, except those of NIC `exceptNicId`. */
function usedAddresses(sim: SimContext, subnetId: string, exceptNicId: string): Set<string> {
  const used = new Set<string>();
  const subnet = subnetId.toLowerCase();
  const except = exceptNicId.toLowerCase();
  for (const nic of sim.world.all()) {
    if (nic.type.toLowerCase() !== TYPE_LOWER || nic.id.toLowerCase() === except) continue;
    for (const c of (nic.body.properties?.ipConfigurations ?? []) as Json[]) {
      if (String(c.properties?.subnet?.id).toLowerCase() === subnet) used.add(String(c.properties.privateIPAddress));
    }
  }
  return used;
}

/** The first free address of a subnet, skipping the five Azure reserves (network, .1–.3, broadcast). */
function allocate(sim: SimContext, subnet: Json, nicId: string): string {
  const cidr = parseCidr(subnet.properties.addressPrefix)!;
  const used = usedAddresses(sim, String(subnet.id), nicId);
  for (let i = 4; i < cidr.size - 1; i++) {
    const ip = ipToString(cidr.base + i);
    if (!used.has(ip)) return ip;
  }
  throw new ArmError(400, "SubnetIsFull", `Subnet ${String(subnet.name)} with address prefix ${String(subnet.properties.addressPrefix)} does not have enough capacity for 1 IP addresses.`);
}

function buildIpConfigs(sim: SimContext, ref: ResourceRef, location: string, wanted: Json[], old: StoredResource | undefined): Json[] {
  if (wanted.length === 0) throw invalidParameter(`Network interface ${ref.id} must have one or more IP configurations.`, "ipConfigurations");
  const oldConfigs = new Map(((old?.body.properties.ipConfigurations ?? []) as Json[]).map((c) => [String(c.name).toLowerCase(), c]));
  return wanted.map((c, i) => {
    const name = typeof c.name === "string" ? c.name : `ipconfig${i + 1}`;
    const p: Json = isObject(c.properties) ? c.properties : {};
    const subnetId = String(p.subnet?.id ?? "");
    const subnet = findSubnet(sim, subnetId);
    const vnet = sim.world.get(subnetId.slice(0, subnetId.toLowerCase().lastIndexOf("/subnets/")));
    if (!subnet || normalizeLocation(String(vnet?.body.location)) !== location) throw invalidReference(subnetId, ref.id);
    const id = `${ref.id}/ipConfigurations/${name}`;
    const props: Json = { privateIPAllocationMethod: p.privateIPAllocationMethod ?? "Dynamic", privateIPAddressVersion: "IPv4", subnet: { id: subnet.id }, primary: p.primary ?? i === 0, provisioningState: "Updating" };
    const pipId = p.publicIPAddress?.id;
    if (typeof pipId === "string") {
      const pip = sim.world.get(pipId);
      if (!pip || pip.type !== "Microsoft.Network/publicIPAddresses") throw invalidReference(pipId, ref.id);
      const user = pip.body.properties.ipConfiguration?.id;
      if (typeof user === "string" && user.toLowerCase() !== id.toLowerCase()) {
        throw new ArmError(400, "PublicIPAddressInUse", `Resource ${pip.id} is already in use by ${user}. It cannot be referenced by ${id}.`);
      }
      props.publicIPAddress = { id: pip.id };
    }
    const before = oldConfigs.get(name.toLowerCase());
    const sameSubnet = before && String(before.properties?.subnet?.id).toLowerCase() === String(subnet.id).toLowerCase();
    if (props.privateIPAllocationMethod === "Static" && typeof p.privateIPAddress === "string") props.privateIPAddress = p.privateIPAddress;
    else props.privateIPAddress = sameSubnet ? before.properties.privateIPAddress : allocate(sim, subnet, ref.id);
    return { id, name, etag: weakEtag(sim.random), type: `${TYPE}/ipConfigurations`, properties: props };
  });
}

/** Points each referenced public IP at its ip configuration, and releases the ones no longer used. */
function linkPublicIps(sim: SimContext, configs: Json[], previous: Json[]): void {
  for (const c of previous) {
    const pip = c.properties?.publicIPAddress?.id ? sim.world.get(String(c.properties.publicIPAddress.id)) : undefined;
    if (pip && String(pip.body.properties.ipConfiguration?.id).toLowerCase() === String(c.id).toLowerCase()) delete pip.body.properties.ipConfiguration;
  }
  for (const c of configs) {
    const pip = c.properties.publicIPAddress?.id ? sim.world.get(String(c.properties.publicIPAddress.id)) : undefined;
    if (pip) pip.body.properties.ipConfiguration = { id: c.id };
  }
}

/** Deletes a NIC and releases the public IPs it used (what a NIC delete, or a VM delete with `deleteOption: Delete`, does). */
export function removeNic(sim: SimContext, nic: StoredResource): void {
  linkPublicIps(sim, [], (nic.body.properties?.ipConfigurations ?? []) as Json[]);
  sim.world.delete(nic.id);
}

/**
 * Network interfaces (classic network client). PUT validates every ip configuration: the subnet must
 * exist in the NIC's location and the public IP must exist (400 `InvalidResourceReference`) and not be
 * used by another NIC (400 `PublicIPAddressInUse`); a dynamic private address is allocated from the
 * subnet (kept across updates). The VM binding (`virtualMachine.id`) is kept across updates. DELETE
 * while bound to a VM → 400 `NicInUse`. LRO shapes per network-common.ts.
 */
export const networkInterfaceHandlers: ResourceTypeHandlers = {
  key: "microsoft.network/networkinterfaces",
  apiVersionKey: "microsoft.network/networkinterfaces",
  get: (sim, _req, ref) => ({ status: 200, body: clone(requireResource(sim, ref).body) }),
  put(sim, req, ref) {
    const { body, old, location, props } = beginPut(sim, req, ref);
    const configs = buildIpConfigs(sim, ref, location, Array.isArray(props.ipConfigurations) ? (props.ipConfigurations as Json[]) : [], old);
    const nic = old ?? newResource(ref, location, body);
    const previous = (old?.body.properties.ipConfigurations ?? []) as Json[];
    const stored: Json = {
      ...clone(props),
      ipConfigurations: configs,
      enableAcceleratedNetworking: props.enableAcceleratedNetworking ?? false,
      enableIPForwarding: props.enableIPForwarding ?? false,
      nicType: "Standard",
      dnsSettings: { dnsServers: props.dnsSettings?.dnsServers ?? [], appliedDnsServers: [] },
      macAddress: old?.body.properties.macAddress ?? macAddress(sim.random),
    };
    delete stored.virtualMachine;
    if (old?.body.properties.virtualMachine) stored.virtualMachine = old.body.properties.virtualMachine;
    if (old?.body.properties.resourceGuid) stored.resourceGuid = old.body.properties.resourceGuid;
    nic.body.properties = stored;
    nic.body.tags = tagsOf(body);
    if (!old) sim.world.put(nic);
    linkPublicIps(sim, configs, previous);
    return startNetworkPut(sim, req, nic, !old, "networkInterfaces.createOrUpdate", () => clone(nic.body), (state) => {
      for (const c of configs) c.properties.provisioningState = state;
    });
  },
  delete(sim, req, ref) {
    const nic = sim.world.get(ref.id);
    if (!nic) return { status: 204 };
    assertIdle(nic);
    const vm = nic.body.properties.virtualMachine?.id;
    if (typeof vm === "string") {
      throw new ArmError(400, "NicInUse", `Network Interface ${nic.id} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`);
    }
    return startNetworkDelete(sim, req, nic, "networkInterfaces.delete", () => removeNic(sim, nic));
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (n) => clone(n.body)),
};
