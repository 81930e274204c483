import type { ResourceTypeHandlers } from "./context.js";
import { ArmError, invalidParameter } from "./errors.js";
import { clone, type Json } from "./json.js";
import { startNetworkDelete, startNetworkPut } from "./network-common.js";
import { assertIdle, beginPut, listOfType, newResource, requireResource, tagsOf } from "./resources.js";

const TYPE = "Microsoft.Network/publicIPAddresses";

/**
 * Public IP addresses (classic network client). SKU `Standard` (default) or `Basic`; a Standard
 * address must be `Static` (400 `StandardSkuPublicIPAddressesMustBeStatic`). A static address gets a
 * seeded `ipAddress` (20.x.y.z) at once and keeps it; `ipConfiguration` names the NIC ip configuration
 * using it, and DELETE while used → 400 `PublicIPAddressCannotBeDeleted`. LRO shapes per network-common.ts.
 */
export const publicIpHandlers: ResourceTypeHandlers = {
  key: "microsoft.network/publicipaddresses",
  apiVersionKey: "microsoft.network/publicipaddresses",
  get: (sim, _req, ref) => ({ status: 200, body: clone(requireResource(sim, ref).body) }),
  put(sim, req, ref) {
    const { body, old, location, props } = beginPut(sim, req, ref);
    const sku = String(body.sku?.name ?? old?.body.sku?.name ?? "Standard");
    if (sku !== "Standard" && sku !== "Basic") throw invalidParameter(`Public IP SKU '${sku}' is not supported.`, "sku.name");
    const method = String(props.publicIPAllocationMethod ?? (sku === "Standard" ? "Static" : "Dynamic"));
    if (sku === "Standard" && method !== "Static") {
      throw new ArmError(400, "StandardSkuPublicIPAddressesMustBeStatic", `Standard sku publicIp ${ref.id} must have AllocationMethod set to Static.`);
    }
    const pip = old ?? newResource(ref, location, body);
    pip.body.sku = { name: sku, tier: body.sku?.tier ?? "Regional" };
    const stored: Json = {
      ...clone(props),
      publicIPAllocationMethod: method,
      publicIPAddressVersion: props.publicIPAddressVersion ?? "IPv4",
      idleTimeoutInMinutes: props.idleTimeoutInMinutes ?? 4,
      ipTags: props.ipTags ?? [],
    };
    const oldProps = (old?.body.properties ?? {}) as Json;
    if (method === "Static") stored.ipAddress = oldProps.ipAddress ?? `20.${10 + sim.random.int(200)}.${sim.random.int(256)}.${1 + sim.random.int(254)}`;
    else delete stored.ipAddress;
    delete stored.ipConfiguration;
    if (oldProps.ipConfiguration) stored.ipConfiguration = oldProps.ipConfiguration;
    if (oldProps.resourceGuid) stored.resourceGuid = oldProps.resourceGuid;
    pip.body.properties = stored;
    pip.body.tags = tagsOf(body);
    if (!old) sim.world.put(pip);
    return startNetworkPut(sim, req, pip, !old, "publicIPAddresses.createOrUpdate", () => clone(pip.body));
  },
  delete(sim, req, ref) {
    const pip = sim.world.get(ref.id);
    if (!pip) return { status: 204 };
    assertIdle(pip);
    const user = pip.body.properties.ipConfiguration?.id;
    if (typeof user === "string") {
      throw new ArmError(400, "PublicIPAddressCannotBeDeleted", `Public IP address ${pip.id} can not be deleted since it is still allocated to resource ${user}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`);
    }
    return startNetworkDelete(sim, req, pip, "publicIPAddresses.delete", () => sim.world.delete(pip.id));
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (p) => clone(p.body)),
};
