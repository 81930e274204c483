import { ProviderError, type OperationContext, type OwnershipMarker } from "../contract.js";
import { all, call, lro, withLock, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined, requireSucceeded } from "./errors.js";
import { markerOf, markerTags, ownedBy, TAG } from "./marker.js";
import { freeBlock, prefixLengthFor } from "./subnet-ranges.js";

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

/**
 * The id of subnet `subnet` of VNet `vnet` in `group`, created when missing: a missing VNet is created
 * with address space 10.0.0.0/16 and the subnet at its start; a missing subnet of an existing VNet
 * takes the next free block of that space. A new subnet is a /24, or larger when the manifests put
 * more VMs in it (subnet-ranges.ts; learnt by observe). New subnets get the `Microsoft.Storage`
 * service endpoint (needed by NFS share network rules). Existing networks and subnets are never
 * modified. Serialised per VNet; a subnet found or made is remembered for the session.
 */
export async function ensureSubnet(ctx: AzureContext, group: string, vnet: string, subnet: string, location: string, op: OperationContext): Promise<string> {
  const network = await ctx.clients.network();
  const key = subnetKey(group, vnet, subnet);
  const known = ctx.subnets.get(key);
  if (known) return known;
  const id = await withLock(ctx, `vnet:${group}/${vnet}`, async () => {
    const again = ctx.subnets.get(key);
    if (again) return again;
    await ensureGroup(ctx, group, location, op);
    const len = prefixLengthFor(ctx.subnetDemand.get(key) ?? 0);
    const current = await getOrUndefined(`read virtual network ${vnet}`, () => network.virtualNetworks.get(group, vnet, call(op)));
    const endpoint = [{ service: "Microsoft.Storage" }];
    if (!current) {
      const made = await azureCall(`create virtual network ${vnet} in ${group}`, () =>
        lro(ctx, op, (o) => network.virtualNetworks.beginCreateOrUpdate(group, vnet, {
          location, tags: { [TAG.stack]: ctx.stack }, addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: subnet, addressPrefix: `10.0.0.0/${len}`, serviceEndpoints: endpoint }],
        }, o)),
      );
      const madeId = made.subnets?.find((s) => s.name?.toLowerCase() === subnet.toLowerCase())?.id;
      return requireSucceeded(`create virtual network ${vnet}`, { id: madeId, provisioningState: made.provisioningState }).id;
    }
    const have = current.subnets?.find((s) => s.name?.toLowerCase() === subnet.toLowerCase());
    if (have?.id) return have.id;
    const space = current.addressSpace?.addressPrefixes?.[0] ?? "";
    const prefix = freeBlock(space, (current.subnets ?? []).map((s) => s.addressPrefix ?? ""), len);
    if (!prefix) throw new ProviderError(`no free /${len} left in address space ${space} of virtual network ${vnet} for subnet ${subnet}; create the subnet yourself`, { code: "NO_SUBNET_RANGE", retryable: false });
    const made = await azureCall(`create subnet ${subnet} in ${vnet}`, () =>
      lro(ctx, op, (o) => network.subnets.beginCreateOrUpdate(group, vnet, subnet, { addressPrefix: prefix, serviceEndpoints: endpoint }, o)),
    );
    return requireSucceeded(`create subnet ${subnet} in ${vnet}`, made).id;
  });
  ctx.subnets.set(key, id);
  return id;
}

/** The session's key of a subnet (ARM names are case-insensitive). */
export function subnetKey(group: string, vnet: string, subnet: string): string {
  return `${group}/${vnet}/${subnet}`.toLowerCase();
}

/** A static Standard public IP owned by `marker`, created when missing. */
export async function ensurePublicIp(ctx: AzureContext, rg: string, name: string, location: string, marker: OwnershipMarker, op: OperationContext): Promise<string> {
  const network = await ctx.clients.network();
  const found = await getOrUndefined(`read public IP ${name}`, () => network.publicIPAddresses.get(rg, name, call(op)));
  if (found) {
    if (!ownedBy(found.tags, marker.stack, marker.address)) throw unowned("public IP", found.id, marker.address);
    if (found.id && /succeeded/i.test(found.provisioningState ?? "Succeeded")) return found.id;
  }
  const made = await azureCall(`create public IP ${name}`, () =>
    lro(ctx, op, (o) => network.publicIPAddresses.beginCreateOrUpdate(rg, name, { location, tags: markerTags(marker), sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, o)),
  );
  return requireSucceeded(`create public IP ${name}`, made).id;
}

/** A NIC owned by `marker` in `subnetId` (with `publicIpId` when given), created or set to that. */
export async function ensureNic(ctx: AzureContext, rg: string, name: string, location: string, subnetId: string, publicIpId: string | undefined, marker: OwnershipMarker, op: OperationContext): Promise<string> {
  const network = await ctx.clients.network();
  const found = await getOrUndefined(`read network interface ${name}`, () => network.networkInterfaces.get(rg, name, call(op)));
  if (found && !ownedBy(found.tags, marker.stack, marker.address)) throw unowned("network interface", found.id, marker.address);
  const ipc = found?.ipConfigurations?.[0];
  if (found?.id && ipc?.subnet?.id?.toLowerCase() === subnetId.toLowerCase() && (ipc.publicIPAddress?.id?.toLowerCase() ?? "") === (publicIpId?.toLowerCase() ?? "") && /succeeded/i.test(found.provisioningState ?? "")) return found.id;
  const made = await azureCall(`create network interface ${name}`, () =>
    lro(ctx, op, (o) => network.networkInterfaces.beginCreateOrUpdate(rg, name, {
      location, tags: { ...(found?.tags ?? {}), ...markerTags(marker) },
      ipConfigurations: [{ name: ipc?.name ?? "ipconfig1", subnet: { id: subnetId }, privateIPAllocationMethod: "Dynamic", ...(publicIpId ? { publicIPAddress: { id: publicIpId } } : {}) }],
    }, o)),
  );
  return requireSucceeded(`create network interface ${name}`, made).id;
}

/** Deletes a NIC or public IP by id when it carries this stack's marker for `address`; gone is fine. */
export async function deleteOwnedNetwork(ctx: AzureContext, kind: "nic" | "pip", rg: string, name: string, address: string, op: OperationContext): Promise<void> {
  const network = await ctx.clients.network();
  const what = kind === "nic" ? "network interface" : "public IP";
  const found = kind === "nic"
    ? await getOrUndefined(`read ${what} ${name}`, () => network.networkInterfaces.get(rg, name, call(op)))
    : await getOrUndefined(`read ${what} ${name}`, () => network.publicIPAddresses.get(rg, name, call(op)));
  if (!found || !ownedBy(found.tags, ctx.stack, address)) return;
  await azureCall(`delete ${what} ${name}`, () =>
    kind === "nic" ? lro(ctx, op, (o) => network.networkInterfaces.beginDelete(rg, name, o)) : lro(ctx, op, (o) => network.publicIPAddresses.beginDelete(rg, name, o)),
  );
}

/** Names of resource groups tagged with this stack (one paged list call). */
export async function stackGroups(ctx: AzureContext): Promise<{ all: Map<string, string>; tagged: string[] }> {
  const groups = await azureCall("list resource groups", () => all(ctx.clients.resources.resourceGroups.list()));
  const allGroups = new Map(groups.filter((g) => g.name).map((g) => [g.name!.toLowerCase(), g.name!] as const));
  const tagged = groups.filter((g) => g.tags?.[TAG.stack] === ctx.stack || markerOf(g.tags)?.stack === ctx.stack).map((g) => g.name!);
  return { all: allGroups, tagged };
}
