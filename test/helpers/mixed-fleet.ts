import type { DesiredProvider, DesiredResource, DesiredState } from "../../src/manifest/model.js";
import type { VirtualMachineSpec } from "../../src/manifest/schema/index.js";
import type { CapacityPool, ObservedResource, Provider } from "../../src/providers/contract.js";
import { azureProvider } from "../../src/providers/azure/index.js";
import { proxmoxProvider } from "../../src/providers/proxmox/index.js";
import type { PriceTable } from "../../src/cost/price-table.js";
import { plan, type PlanInput } from "../../src/reconcile/plan.js";
import { emptyState, type StateSnapshot } from "../../src/state/contract.js";

const GIB = 1024 ** 3;
const source = { file: "fleet.yaml", line: 1, column: 1 };
const lifecycle = { protect: false, ignoreChanges: [], updatePolicy: "in-place-only" as const, suspend: false };

export const AZ: DesiredProvider = {
  name: "az", source, baseDir: "/tmp", root: "/tmp",
  spec: { type: "azure", subscriptionId: "sub", auth: { type: "static-token", token: { env: "T" } }, defaults: { resourceGroup: "rg", location: "eastus2" } },
};
export const PVE: DesiredProvider = {
  name: "pve", source, baseDir: "/tmp", root: "/tmp",
  spec: { type: "proxmox", endpoint: "https://127.0.0.1:8006", auth: { tokenId: "t", tokenSecret: { env: "X" } }, defaults: { node: "pve1", storage: "local-lvm" } },
};

/** A small price table (prices of the shipped table's eastus2 entries). */
export const PRICES: PriceTable = {
  formatVersion: 1, currency: "USD", date: "2026-07-24", origin: "test",
  entries: [
    { meter: "vm/eastus2/Standard_D2s_v5/linux", price: 0.096, unit: "hour", source: "t" },
    { meter: "vm/eastus2/Standard_D4s_v5/linux", price: 0.192, unit: "hour", source: "t" },
    { meter: "disk/eastus2/P10 LRS", price: 17.92, unit: "month", source: "t" },
    { meter: "disk/eastus2/E10 LRS", price: 9.6, unit: "month", source: "t" },
    { meter: "ip/eastus2/standard-static", price: 0.005, unit: "hour", source: "t" },
    { meter: "files-premium/eastus2/LRS", price: 0.16, unit: "gib-month", source: "t" },
    { meter: "snapshot/eastus2/standard-lrs", price: 0.05, unit: "gib-month", source: "t" },
  ],
};

/** A desired VM on `az` or `pve`. */
export function vm(name: string, provider: "az" | "pve", over: Partial<VirtualMachineSpec> = {}): DesiredResource {
  const base: VirtualMachineSpec = provider === "az"
    ? { provider, size: "Standard_D2s_v5", image: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server" }, disks: [{ size: "128GiB", type: "Premium_LRS" }], networks: [{ publicIp: true }], cloudInit: { user: "dev" } }
    : { provider, memory: "4GiB", cpu: { cores: 2 }, disks: [{ size: "32GiB" }] };
  return { address: `VirtualMachine/${name}`, kind: "VirtualMachine", name, externalName: name, provider, labels: {}, spec: { ...base, ...over }, lifecycle, dependsOn: [], source };
}

/** A desired premium Azure Files share on `az`. */
export function share(name: string, size = "100GiB"): DesiredResource {
  return { address: `NfsShare/${name}`, kind: "NfsShare", name, externalName: name, provider: "az", labels: {}, spec: { provider: "az", size, azure: { storageAccount: "devfiles" } }, lifecycle, dependsOn: [], source };
}

/**
 * Planner scenarios over the real Azure and Proxmox providers' pure parts: desired resources,
 * objects that exist (observed as their canonical spec, with this stack's marker), state records,
 * capacity pools and a price table.
 */
export class Fleet {
  desired: DesiredResource[] = [];
  observed = new Map<string, ObservedResource[]>([["az", []], ["pve", []]]);
  state: StateSnapshot = emptyState();
  pools = new Map<string, CapacityPool[]>();
  private readonly impl = new Map<string, Provider>([["az", azureProvider], ["pve", proxmoxProvider]]);
  private readonly configs = new Map([["az", AZ], ["pve", PVE]]);

  want(...r: DesiredResource[]): this {
    this.desired.push(...r);
    return this;
  }

  /** An object that exists as `r` describes it (and is in state unless `unmanaged`). */
  exists(r: DesiredResource, id: string): this {
    const spec = this.impl.get(r.provider!)!.canonicalize(r, this.configs.get(r.provider!)!);
    const observed = JSON.parse(JSON.stringify({ ...spec, ...(r.provider === "pve" ? { vmid: Number(id.split("/")[1]) } : {}) })) as Record<string, unknown>;
    delete observed._cloudInit;
    this.observed.get(r.provider!)!.push({ kind: r.kind, externalId: id, name: r.externalName ?? r.name, marker: { stack: "test", address: r.address }, spec: observed });
    this.state.resources[r.address] = { address: r.address, kind: r.kind, provider: r.provider!, externalId: id, appliedSpec: observed, protect: false, appliedAt: "2026-01-01T00:00:00Z", origin: "created" };
    return this;
  }

  pool(provider: string, key: string, label: string, unit: "bytes" | "count", total: number, used: number): this {
    this.pools.set(provider, [...(this.pools.get(provider) ?? []), { key, label, unit, total, used }]);
    return this;
  }

  desiredState(): DesiredState {
    return { providers: new Map(this.configs), templates: new Map(), resources: [...this.desired].sort((a, b) => a.address.localeCompare(b.address)) };
  }

  plan(extra: Partial<PlanInput> = {}) {
    return plan({ stack: "test", desired: this.desiredState(), observed: this.observed, state: this.state, providers: this.impl, capacity: this.pools, prices: { table: PRICES, which: "shipped" }, options: { allowMassDelete: true }, ...extra });
  }
}

export { GIB };
