import { ProviderError, type OperationContext, type OwnershipMarker } from "../contract.js";
import { all, call, lro, withLock, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined, requireSucceeded } from "./errors.js";
import { markerOf, markerTags, ownedBy, TAG } from "./marker.js";

/** Raised when a same-named object exists that vmsync did not create for this resource. */
export function unowned(what: string, id: string | undefined, address: string): ProviderError {
  return new ProviderError(`${what} ${id ?? ""} already exists and was not created by vmsync for ${address}; vmsync does not modify it (remove or rename it, or import it)`, { code: "UNOWNED_CONFLICT", retryable: false });
}

/** Makes sure a resource group exists (created with a `vmsync-stack` tag when missing; never modified). */
export async function ensureGroup(ctx: AzureContext, rg: string, location: string, op: OperationContext): Promise<void> {
  if (ctx.groups.has(rg.toLowerCase())) return;
  const { resources } = ctx.clients;
  const found = await getOrUndefined(`read resource group ${rg}`, () => resources.resourceGroups.get(rg, call(op)));
  if (!found) await azureCall(`create resource group ${rg}`, () => resources.resourceGroups.createOrUpdate(rg, { location, tags: { [TAG.stack]: ctx.stack } }, call(op)));
  ctx.groups.add(rg.toLowerCase());
}

/** The next free /24 in a /16 address space, given the prefixes in use. */
function freeSlash24(space: string, used: string[]): string {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(space);
  if (!m) throw new ProviderError(`cannot choose an address range for a new subnet in address space ${space}; create the subnet yourself`, { code: "NO_SUBNET_RANGE", retryable: false });
  const taken = new Set(used.map((p) => p.split(".")[2]));
  for (let i = 0; i < 256; i++) if (!taken.has(String(i))) return `${m[1]}.${m[2]}.${i}.0/24`;
  throw new ProviderError(`no free /24 left in ${space}`, { code: "NO_SUBNET_RANGE", retryable: false });
}

/**
 * The id of subnet `subnet` of VNet `vnet` in `group`, created when missing: a missing VNet is created
 * with address space 10.0.0.0/16 and the subnet as 10.0.0.0/24; a missing subnet of an existing VNet
 * takes the next free /24. New subnets get the `Microsoft.Storage` service endpoint (needed by NFS
 * share network rules). Existing networks and subnets are never modified. Serialised per VNet.
 */
export async function ensureSubnet(ctx: AzureContext, group: string, vnet: string, subnet: string, location: string, op: OperationContext): Promise<string> {
  const { network } = ctx.clients;
  return withLock(ctx, `vnet:${group}/${vnet}`, async () => {
    await ensureGroup(ctx, group, location, op);
    const current = await getOrUndefined(`read virtual network ${vnet}`, () => network.virtualNetworks.get(group, vnet, call(op)));
    const endpoint = [{ service: "Microsoft.Storage" }];
    if (!current) {
      const made = await azureCall(`create virtual network ${vnet} in ${group}`, () =>
        network.virtualNetworks.beginCreateOrUpdateAndWait(group, vnet, {
          location, tags: { [TAG.stack]: ctx.stack }, addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: subnet, addressPrefix: "10.0.0.0/24", serviceEndpoints: endpoint }],
        }, lro(ctx, op)),
      );
      const id = made.subnets?.find((s) => s.name?.toLowerCase() === subnet.toLowerCase())?.id;
      return requireSucceeded(`create virtual network ${vnet}`, { id, provisioningState: made.provisioningState }).id;
    }
    const have = current.subnets?.find((s) => s.name?.toLowerCase() === subnet.toLowerCase());
    if (have?.id) return have.id;
    const prefix = freeSlash24(current.addressSpace?.addressPrefixes?.[0] ?? "", (current.subnets ?? []).map((s) => s.addressPrefix ?? ""));
    const made = await azureCall(`create subnet ${subnet} in ${vnet}`, () =>
      network.subnets.beginCreateOrUpdateAndWait(group, vnet, subnet, { addressPrefix: prefix, serviceEndpoints: endpoint }, lro(ctx, op)),
    );
    return requireSucceeded(`create subnet ${subnet} in ${vnet}`, made).id;
  });
}

/** A static Standard public IP owned by `marker`, created when missing. */
export async function ensurePublicIp(ctx: AzureContext, rg: string, name: string, location: string, marker: OwnershipMarker, op: OperationContext): Promise<string> {
  const { network } = ctx.clients;
  const found = await getOrUndefined(`read public IP ${name}`, () => network.publicIPAddresses.get(rg, name, call(op)));
  if (found) {
    if (!ownedBy(found.tags, marker.stack, marker.address)) throw unowned("public IP", found.id, marker.address);
    if (found.id && /succeeded/i.test(found.provisioningState ?? "Succeeded")) return found.id;
  }
  const made = await azureCall(`create public IP ${name}`, () =>
    network.publicIPAddresses.beginCreateOrUpdateAndWait(rg, name, { location, tags: markerTags(marker), sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, lro(ctx, op)),
  );
  return requireSucceeded(`create public IP ${name}`, made).id;
}

/** A NIC owned by `marker` in `subnetId` (with `publicIpId` when given), created or set to that. */
export async function ensureNic(ctx: AzureContext, rg: string, name: string, location: string, subnetId: string, publicIpId: string | undefined, marker: OwnershipMarker, op: OperationContext): Promise<string> {
  const { network } = ctx.clients;
  const found = await getOrUndefined(`read network interface ${name}`, () => network.networkInterfaces.get(rg, name, call(op)));
  if (found && !ownedBy(found.tags, marker.stack, marker.address)) throw unowned("network interface", found.id, marker.address);
  const ipc = found?.ipConfigurations?.[0];
  if (found?.id && ipc?.subnet?.id?.toLowerCase() === subnetId.toLowerCase() && (ipc.publicIPAddress?.id?.toLowerCase() ?? "") === (publicIpId?.toLowerCase() ?? "") && /succeeded/i.test(found.provisioningState ?? "")) return found.id;
  const made = await azureCall(`create network interface ${name}`, () =>
    network.networkInterfaces.beginCreateOrUpdateAndWait(rg, name, {
      location, tags: { ...(found?.tags ?? {}), ...markerTags(marker) },
      ipConfigurations: [{ name: ipc?.name ?? "ipconfig1", subnet: { id: subnetId }, privateIPAllocationMethod: "Dynamic", ...(publicIpId ? { publicIPAddress: { id: publicIpId } } : {}) }],
    }, lro(ctx, op)),
  );
  return requireSucceeded(`create network interface ${name}`, made).id;
}

/** Deletes a NIC or public IP by id when it carries this stack's marker for `address`; gone is fine. */
export async function deleteOwnedNetwork(ctx: AzureContext, kind: "nic" | "pip", rg: string, name: string, address: string, op: OperationContext): Promise<void> {
  const { network } = ctx.clients;
  const what = kind === "nic" ? "network interface" : "public IP";
  const found = kind === "nic"
    ? await getOrUndefined(`read ${what} ${name}`, () => network.networkInterfaces.get(rg, name, call(op)))
    : await getOrUndefined(`read ${what} ${name}`, () => network.publicIPAddresses.get(rg, name, call(op)));
  if (!found || !ownedBy(found.tags, ctx.stack, address)) return;
  await azureCall(`delete ${what} ${name}`, () =>
    kind === "nic" ? network.networkInterfaces.beginDeleteAndWait(rg, name, lro(ctx, op)) : network.publicIPAddresses.beginDeleteAndWait(rg, name, lro(ctx, op)),
  );
}

/** Names of resource groups tagged with this stack (one paged list call). */
export async function stackGroups(ctx: AzureContext): Promise<{ all: Map<string, string>; tagged: string[] }> {
  const groups = await azureCall("list resource groups", () => all(ctx.clients.resources.resourceGroups.list()));
  const allGroups = new Map(groups.filter((g) => g.name).map((g) => [g.name!.toLowerCase(), g.name!] as const));
  const tagged = groups.filter((g) => g.tags?.[TAG.stack] === ctx.stack || markerOf(g.tags)?.stack === ctx.stack).map((g) => g.name!);
  return { all: allGroups, tagged };
}
