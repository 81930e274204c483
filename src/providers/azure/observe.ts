import type { FileShare, StorageAccount } from "@azure/arm-storage";
import type { DesiredResource } from "../../manifest/model.js";
import type { AzureProviderSpec, NfsShareSpec, VirtualMachineSpec } from "../../manifest/schema/index.js";
import type { ObservedResource, ObserveScope } from "../contract.js";
import { vmAddresses } from "./addresses.js";
import { observedShare } from "./canonical-share.js";
import { asSpec, canonicalVm, observedVm, powerOf, type AzurePower } from "./canonical-vm.js";
import { all, mapLimit, type AzureContext } from "./context.js";
import { azureCall, isNotFound, toProviderError } from "./errors.js";
import { groupOf, parseId } from "./ids.js";
import { markerOf } from "./marker.js";
import { nicFromWire, publicIpFromWire, type NicView, type PublicIpView, type WireNic, type WirePublicIp } from "./nic-view.js";
import { listRaw, NETWORK_API_VERSION } from "./raw-list.js";
import { COMPUTE_API_VERSION, diskFromWire, vmFromWire, type DiskView, type VmView, type WireDisk, type WireVm } from "./compute-view.js";
import { stackGroups, subnetKey } from "./network.js";

/** What one resource group holds, read with one paged list call per collection. */
export interface GroupContents {
  vms: VmView[];
  disks: DiskView[];
  nics: NicView[];
  publicIps: PublicIpView[];
  accounts: StorageAccount[];
  /** NFS shares by storage account id (lower case). */
  shares: Map<string, FileShare[]>;
}

/** A list that answers 404 (the group is gone) as empty. */
async function listOrEmpty<T>(doing: string, fn: () => Promise<T[]>): Promise<T[]> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return [];
    throw toProviderError(doing, err);
  }
}

/**
 * Reads one group: VMs, managed disks, NICs, public IPs, and — when `withShares` (NFS shares are in
 * scope) — storage accounts and the shares of its FileStorage accounts.
 */
export async function readGroup(ctx: AzureContext, rg: string, withShares = true): Promise<GroupContents> {
  const { resources } = ctx.clients;
  // lists as wire JSON (raw-list.ts): the requests the SDKs' list(rg) send, through the resources
  // client's pipeline, without their model deserialisers (and without loading the network SDK)
  const [vms, disks, nics, publicIps, accounts] = await Promise.all([
    listOrEmpty(`list virtual machines in ${rg}`, async () => (await listRaw<WireVm>(resources, listUrl(ctx, rg, "Microsoft.Compute/virtualMachines", COMPUTE_API_VERSION.virtualMachines))).map(vmFromWire)),
    listOrEmpty(`list disks in ${rg}`, async () => (await listRaw<WireDisk>(resources, listUrl(ctx, rg, "Microsoft.Compute/disks", COMPUTE_API_VERSION.disks))).map(diskFromWire)),
    listOrEmpty(`list network interfaces in ${rg}`, async () => (await listRaw<WireNic>(resources, listUrl(ctx, rg, "Microsoft.Network/networkInterfaces", NETWORK_API_VERSION))).map(nicFromWire)),
    listOrEmpty(`list public IPs in ${rg}`, async () => (await listRaw<WirePublicIp>(resources, listUrl(ctx, rg, "Microsoft.Network/publicIPAddresses", NETWORK_API_VERSION))).map(publicIpFromWire)),
    withShares ? listOrEmpty(`list storage accounts in ${rg}`, async () => all((await ctx.clients.storage()).storageAccounts.listByResourceGroup(rg))) : Promise.resolve([] as StorageAccount[]),
  ]);
  const shares = new Map<string, FileShare[]>();
  const fileAccounts = accounts.filter((a) => a.kind === "FileStorage" && a.name);
  const lists = await mapLimit(fileAccounts, 4, (a) => listOrEmpty(`list file shares of ${a.name!}`, async () => all((await ctx.clients.storage()).fileShares.list(rg, a.name!))));
  fileAccounts.forEach((a, i) => shares.set((a.id ?? "").toLowerCase(), lists[i]!));
  return { vms, disks, nics, publicIps, accounts, shares };
}

/** The URL of the subscription's (or, with `rg`, a resource group's) list of `type`: what the SDKs' list calls send. */
function listUrl(ctx: AzureContext, rg: string | undefined, type: string, apiVersion: string, query = ""): string {
  const { endpoint, subscriptionId } = ctx.clients;
  const group = rg === undefined ? "" : `/resourceGroups/${encodeURIComponent(rg)}`;
  return `${endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}${group}/providers/${type}?api-version=${apiVersion}${query}`;
}

/** Power states of every VM in the subscription by id (lower case): one paged `statusOnly` list. */
export async function readPowerStates(ctx: AzureContext): Promise<Map<string, AzurePower | "unknown">> {
  const url = listUrl(ctx, undefined, "Microsoft.Compute/virtualMachines", COMPUTE_API_VERSION.virtualMachines, "&statusOnly=true");
  const vms = await azureCall("list virtual machine power states", async () => (await listRaw<WireVm>(ctx.clients.resources, url)).map(vmFromWire));
  return new Map(vms.filter((v) => v.id).map((v) => [v.id!.toLowerCase(), powerOf(v.instanceView?.statuses)] as const));
}

/** The resource groups to read: the provider's default, those of desired specs and state ids, and groups tagged with the stack. */
async function groupsInScope(ctx: AzureContext, scope: ObserveScope): Promise<string[]> {
  const wanted = new Set<string>();
  const add = (g: string | undefined) => g && wanted.add(g);
  add((ctx.spec as AzureProviderSpec).defaults?.resourceGroup);
  for (const id of scope.externalIds) add(groupOf(id));
  for (const r of scope.desired ?? []) groupsOfDesired(r).forEach(add);
  const { all: existing, tagged } = await stackGroups(ctx);
  tagged.forEach(add);
  const out = new Map<string, string>();
  for (const g of wanted) {
    const real = existing.get(g.toLowerCase());
    if (real) out.set(real.toLowerCase(), real);
  }
  for (const g of out.keys()) ctx.groups.add(g);
  return [...out.values()].sort();
}

function groupsOfDesired(r: DesiredResource): Array<string | undefined> {
  if (r.kind === "VirtualMachine") return [(r.spec as VirtualMachineSpec).resourceGroup];
  if (r.kind === "NfsShare") return [(r.spec as NfsShareSpec).azure?.resourceGroup];
  return [];
}

/** Counts the desired VMs per subnet, so that a subnet vmsync has to create is sized for them. */
function learnSubnetDemand(ctx: AzureContext, desired: DesiredResource[]): void {
  ctx.subnetDemand.clear();
  for (const r of desired) {
    if (r.kind !== "VirtualMachine") continue;
    const n = canonicalVm(r, ctx.config).network;
    const key = subnetKey(n.vnetGroup, n.vnet, n.subnet);
    ctx.subnetDemand.set(key, (ctx.subnetDemand.get(key) ?? 0) + 1);
  }
}

/** Turns one group's contents into observed VirtualMachines and NfsShares (joins in memory, no per-object reads). */
export function observedOf(contents: GroupContents, power: Map<string, AzurePower | "unknown">): ObservedResource[] {
  const byId = <T extends { id?: string }>(xs: T[]) => new Map(xs.filter((x) => x.id).map((x) => [x.id!.toLowerCase(), x] as const));
  const nics = byId(contents.nics);
  const pips = byId(contents.publicIps);
  const disks = byId(contents.disks);
  const out: ObservedResource[] = [];
  for (const vm of contents.vms) {
    if (!vm.id || !vm.name) continue;
    const nicId = (vm.networkProfile?.networkInterfaces?.find((n) => n.primary) ?? vm.networkProfile?.networkInterfaces?.[0])?.id;
    const nic = nicId ? nics.get(nicId.toLowerCase()) : undefined;
    const pipId = nic?.ipConfigurations?.[0]?.publicIPAddress?.id;
    const diskId = vm.storageProfile?.osDisk?.managedDisk?.id;
    const p = power.get(vm.id.toLowerCase()) ?? powerOf(vm.instanceView?.statuses);
    const spec = observedVm(vm, {
      ...(nic ? { nic } : {}), ...(pipId && pips.get(pipId.toLowerCase()) ? { publicIp: pips.get(pipId.toLowerCase())! } : {}),
      ...(diskId && disks.get(diskId.toLowerCase()) ? { osDisk: disks.get(diskId.toLowerCase())! } : {}), power: p,
    });
    const marker = markerOf(vm.tags);
    const addresses = vmAddresses(nic, pips);
    out.push({ kind: "VirtualMachine", externalId: vm.id, name: vm.name, spec: asSpec(spec), ...(marker ? { marker } : {}), status: { ...(vm.location ? { placement: vm.location } : {}), power: p, ...(addresses.length ? { addresses } : {}) } });
  }
  for (const account of contents.accounts) {
    for (const share of contents.shares.get((account.id ?? "").toLowerCase()) ?? []) {
      if (!share.id || !share.name || (share.enabledProtocols ?? "").toUpperCase() !== "NFS") continue;
      const marker = markerOf(share.metadata);
      out.push({ kind: "NfsShare", externalId: share.id, name: share.name, spec: asSpec(observedShare(account, share)), ...(marker ? { marker } : {}), ...(account.location ? { status: { placement: account.location } } : {}) });
    }
  }
  return out;
}

/**
 * Bulk observe (DESIGN "The provider contract"): per resource group in scope, one paged list call
 * per collection (VMs, disks, NICs, public IPs, storage accounts; file shares once per FileStorage
 * account), plus one subscription-wide `statusOnly` VM list for power states — never a read per VM.
 * Learns where NFS shares live (for mounts). Objects of other kinds are not returned.
 */
export async function observeAzure(ctx: AzureContext, scope: ObserveScope): Promise<ObservedResource[]> {
  learnSubnetDemand(ctx, scope.desired ?? []);
  const groups = await groupsInScope(ctx, scope);
  const wantsVms = scope.kinds.includes("VirtualMachine");
  // NFS shares (and the storage SDK) are read only when the manifests, the state or an interrupted create has some here
  const withShares = scope.kinds.includes("NfsShare") && (scope.desired === undefined || scope.desired.some((r) => r.kind === "NfsShare")
    || scope.externalIds.some((id) => /\/fileServices\/[^/]+\/shares\//i.test(id)) || (scope.pendingKinds ?? []).includes("NfsShare"));
  const [contents, power] = await Promise.all([
    mapLimit(groups, 4, (g) => readGroup(ctx, g, withShares)),
    wantsVms && groups.length > 0 ? readPowerStates(ctx) : Promise.resolve(new Map<string, AzurePower | "unknown">()),
  ]);
  const out = contents.flatMap((c) => observedOf(c, power)).filter((o) => scope.kinds.includes(o.kind));
  for (const o of out) {
    if (o.kind !== "NfsShare" || o.marker?.stack !== ctx.stack) continue;
    const p = parseId(o.externalId);
    if (p) ctx.shareAccounts.set(o.name, { resourceGroup: p.resourceGroup, account: p.names[0]! });
  }
  return out.sort((a, b) => a.externalId.localeCompare(b.externalId));
}
