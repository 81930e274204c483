import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, invalidParameter, resourceNotFound } from "./errors.js";
import { weakEtag } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { startNetworkDelete, startNetworkPut, parseCidr } from "./network-common.js";
import { lroHeaders } from "./operation-routes.js";
import { listPage } from "./paging.js";
import { assertIdle, beginPut, listOfType, newResource, requireBody, requireResource, tagsOf } from "./resources.js";
import type { StoredResource } from "./world.js";

const TYPE = "Microsoft.Network/virtualNetworks";
const SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets";

/** The subnet (stored inside its vnet) with the given id, or `undefined`. */
export function findSubnet(sim: SimContext, id: string): Json | undefined {
  const i = id.toLowerCase().lastIndexOf("/subnets/");
  if (i < 0) return undefined;
  const vnet = sim.world.get(id.slice(0, i));
  const name = id.slice(i + "/subnets/".length).toLowerCase();
  return ((vnet?.body.properties?.subnets ?? []) as Json[]).find((s) => String(s.name).toLowerCase() === name);
}

/** The ids of NIC ip configurations using a subnet (Azure returns them as `ipConfigurations`). */
function subnetUsers(sim: SimContext, subnetId: string): string[] {
  const users: string[] = [];
  for (const nic of sim.world.list("Microsoft.Network/networkInterfaces")) {
    for (const c of (nic.body.properties?.ipConfigurations ?? []) as Json[]) {
      if (String(c.properties?.subnet?.id).toLowerCase() === subnetId.toLowerCase()) users.push(String(c.id));
    }
  }
  return users;
}

function renderSubnet(sim: SimContext, s: Json): Json {
  const out = clone(s);
  const users = subnetUsers(sim, String(s.id));
  if (users.length) out.properties.ipConfigurations = users.map((id) => ({ id }));
  return out;
}

function renderVnet(sim: SimContext, v: StoredResource): Json {
  const out = clone(v.body);
  out.properties.subnets = ((v.body.properties.subnets ?? []) as Json[]).map((s) => renderSubnet(sim, s));
  return out;
}

/** Builds a stored subnet from a request (`addressPrefix` required; service endpoints normalized). */
function buildSubnet(sim: SimContext, vnet: StoredResource, name: string, props: Json, state: string): Json {
  const prefix = props.addressPrefix ?? (Array.isArray(props.addressPrefixes) ? props.addressPrefixes[0] : undefined);
  if (!parseCidr(prefix)) throw new ArmError(400, "InvalidAddressPrefixFormat", `Address prefix ${String(prefix)} of resource ${vnet.id}/subnets/${name} is not formatted correctly.`);
  const eps = Array.isArray(props.serviceEndpoints) ? (props.serviceEndpoints as Json[]) : [];
  const stored: Json = { ...clone(props), addressPrefix: prefix, provisioningState: state, privateEndpointNetworkPolicies: props.privateEndpointNetworkPolicies ?? "Disabled", privateLinkServiceNetworkPolicies: props.privateLinkServiceNetworkPolicies ?? "Enabled" };
  delete stored.ipConfigurations;
  stored.serviceEndpoints = eps.map((e) => ({ service: e.service, locations: e.locations ?? [vnet.body.location], provisioningState: state }));
  return { id: `${vnet.id}/subnets/${name}`, name, etag: weakEtag(sim.random), type: SUBNET_TYPE, properties: stored };
}

function setSubnetStates(vnet: StoredResource, state: string, only?: string): void {
  for (const s of (vnet.body.properties.subnets ?? []) as Json[]) {
    if (only !== undefined && String(s.name).toLowerCase() !== only.toLowerCase()) continue;
    s.properties.provisioningState = state;
    for (const e of (s.properties.serviceEndpoints ?? []) as Json[]) e.provisioningState = state;
  }
}

function inUse(sim: SimContext, subnetId: string): ArmError | undefined {
  const users = subnetUsers(sim, subnetId);
  if (users.length === 0) return undefined;
  const name = subnetId.slice(subnetId.lastIndexOf("/") + 1);
  return new ArmError(400, "InUseSubnetCannotBeDeleted", `Subnet ${name} is in use by ${users[0]} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`);
}

/**
 * Virtual networks (classic network client): PUT (subnets inline; a PUT without a subnet that exists
 * deletes it, as Azure's PUT does — refused with 400 `InUseSubnetCannotBeDeleted` when a NIC uses it),
 * GET, DELETE (400 `InUseSubnetCannotBeDeleted` while any subnet is used), list. LRO shapes per
 * network-common.ts. Subnets come back with their own `id` and the `ipConfigurations` using them.
 */
export const virtualNetworkHandlers: ResourceTypeHandlers = {
  key: "microsoft.network/virtualnetworks",
  apiVersionKey: "microsoft.network/virtualnetworks",
  get: (sim, _req, ref) => ({ status: 200, body: renderVnet(sim, requireResource(sim, ref)) }),
  put(sim, req, ref) {
    const { body, old, location, props } = beginPut(sim, req, ref);
    const prefixes = (props.addressSpace?.addressPrefixes ?? []) as unknown[];
    if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => !parseCidr(p))) {
      throw new ArmError(400, "InvalidAddressPrefixFormat", `Address prefixes of virtual network ${ref.id} are missing or not formatted correctly.`);
    }
    const vnet = old ?? newResource(ref, location, body);
    const wanted = Array.isArray(props.subnets) ? (props.subnets as Json[]) : [];
    const names = new Set(wanted.map((s) => String(s.name).toLowerCase()));
    for (const s of (old?.body.properties.subnets ?? []) as Json[]) {
      if (!names.has(String(s.name).toLowerCase())) {
        const err = inUse(sim, String(s.id));
        if (err) throw err;
      }
    }
    const subnets = wanted.map((s) => {
      if (typeof s.name !== "string" || s.name === "") throw invalidParameter("Every subnet needs a name.", "subnets.name");
      return buildSubnet(sim, vnet, s.name, isObject(s.properties) ? s.properties : {}, "Updating");
    });
    const stored: Json = { ...clone(props), addressSpace: { addressPrefixes: prefixes }, subnets, enableDdosProtection: props.enableDdosProtection ?? false, virtualNetworkPeerings: [] };
    if (old?.body.properties.resourceGuid) stored.resourceGuid = old.body.properties.resourceGuid;
    vnet.body.properties = stored;
    vnet.body.tags = tagsOf(body);
    if (!old) sim.world.put(vnet);
    return startNetworkPut(sim, req, vnet, !old, "virtualNetworks.createOrUpdate", () => renderVnet(sim, vnet), (state) => setSubnetStates(vnet, state));
  },
  delete(sim, req, ref) {
    const vnet = sim.world.get(ref.id);
    if (!vnet) return { status: 204 };
    assertIdle(vnet);
    for (const s of (vnet.body.properties.subnets ?? []) as Json[]) {
      const err = inUse(sim, String(s.id));
      if (err) throw err;
    }
    return startNetworkDelete(sim, req, vnet, "virtualNetworks.delete", () => sim.world.delete(vnet.id));
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (v) => renderVnet(sim, v)),
};

function parentVnet(sim: SimContext, ref: ResourceRef): StoredResource {
  const id = ref.id.slice(0, ref.id.toLowerCase().lastIndexOf("/subnets/"));
  const vnet = sim.world.get(id);
  if (!vnet) throw resourceNotFound(TYPE, ref.names[0] ?? "", ref.resourceGroup);
  return vnet;
}

function subnetOf(vnet: StoredResource, name: string): Json | undefined {
  return ((vnet.body.properties.subnets ?? []) as Json[]).find((s) => String(s.name).toLowerCase() === name.toLowerCase());
}

/**
 * Subnets as their own resource (`…/virtualNetworks/{v}/subnets/{s}`): GET, PUT (adds or replaces
 * the subnet in its vnet; 201/200 + `Azure-AsyncOperation`, the vnet is busy meanwhile), DELETE (400
 * `InUseSubnetCannotBeDeleted` while used; 202 + both headers; 204 when missing), list per vnet.
 */
export const subnetHandlers: ResourceTypeHandlers = {
  key: "microsoft.network/virtualnetworks/subnets",
  apiVersionKey: "microsoft.network/virtualnetworks",
  get(sim, _req, ref) {
    const s = subnetOf(parentVnet(sim, ref), ref.names[1]!);
    if (!s) throw resourceNotFound(ref.typeName, ref.names.join("/"), ref.resourceGroup);
    return { status: 200, body: renderSubnet(sim, s) };
  },
  put(sim, req, ref): ArmReply {
    const vnet = parentVnet(sim, ref);
    assertIdle(vnet);
    const name = ref.names[1]!;
    const body = requireBody(req);
    const subnet = buildSubnet(sim, vnet, name, isObject(body.properties) ? body.properties : {}, "Updating");
    const list = (vnet.body.properties.subnets ??= []) as Json[];
    const i = list.findIndex((s) => String(s.name).toLowerCase() === name.toLowerCase());
    if (i >= 0) list[i] = subnet;
    else list.push(subnet);
    return startNetworkPut(sim, req, vnet, i < 0, "subnets.createOrUpdate", () => renderSubnet(sim, subnet), (state) => {
      vnet.body.properties.provisioningState = state === "Updating" ? "Updating" : "Succeeded";
      setSubnetStates(vnet, state, name);
    });
  },
  delete(sim, req: ArmRequest, ref) {
    const vnet = parentVnet(sim, ref);
    const s = subnetOf(vnet, ref.names[1]!);
    if (!s) return { status: 204 };
    assertIdle(vnet);
    const err = inUse(sim, String(s.id));
    if (err) throw err;
    s.properties.provisioningState = "Deleting";
    const op = sim.ops.start({
      operation: "subnets.delete",
      namespace: "Microsoft.Network",
      location: String(vnet.body.location),
      apiVersion: req.apiVersion,
      resource: vnet,
      complete: () => {
        vnet.body.properties.subnets = ((vnet.body.properties.subnets ?? []) as Json[]).filter((x) => x !== s);
      },
      fail: () => {
        s.properties.provisioningState = "Failed";
      },
    });
    sim.world.touch();
    return { status: 202, headers: lroHeaders(sim, op, { async: true, location: true }) };
  },
  list(sim, req, scope) {
    if (!scope.parent) throw new ArmError(404, "NotFound", "Subnets are listed per virtual network.");
    const vnet = requireResource(sim, scope.parent);
    const subnets = [...((vnet.body.properties.subnets ?? []) as Json[])].sort((a, b) => (String(a.id).toLowerCase() < String(b.id).toLowerCase() ? -1 : 1));
    return listPage(sim, req, subnets, (s) => String(s.id), (s) => renderSubnet(sim, s));
  },
};
