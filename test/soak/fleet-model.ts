/**
 * The desired fleet of a soak trial and its seeded evolution: each round creates, updates or
 * deletes a few VMs (or a mix) across the three providers, keeping the fleet between 3 and 9 VMs.
 * `check` compares what the providers hold with the desired fleet.
 */
import type { SeededRandom } from "../../src/sim/knobs.js";
import { FLEET_PROVIDERS, vmYaml, type FleetProvider, type FleetVm } from "../helpers/fleet.js";
import type { MarkedObject } from "./provider-view.js";

const MEMORY = [512, 768, 1024];
const SIZES = ["Standard_B2s", "Standard_B2ms"];
const PREFIX: Record<FleetProvider, string> = { pve: "p", nas: "t", cloud: "a" };

/** What one round changed. */
export interface RoundChange {
  kind: "create" | "update" | "delete" | "mixed";
  created: string[];
  updated: string[];
  deleted: string[];
}

/** The desired VMs and how they change from round to round. */
export class FleetModel {
  readonly vms = new Map<string, FleetVm>();
  private counter = 0;

  constructor(private readonly random: SeededRandom) {}

  /** The manifest file with every desired VM. */
  yaml(): string {
    return [...this.vms.values()].map(vmYaml).join("---\n") || "# no VMs\n";
  }

  /** Desired addresses. */
  addresses(): string[] {
    return [...this.vms.keys()].map((n) => `VirtualMachine/${n}`).sort();
  }

  /** Makes the next round's change. */
  next(): RoundChange {
    const size = this.vms.size;
    const r = this.random.next();
    const kind: RoundChange["kind"] = size < 3 ? "create" : size > 8 ? "delete" : r < 0.3 ? "create" : r < 0.6 ? "update" : r < 0.8 ? "delete" : "mixed";
    const change: RoundChange = { kind, created: [], updated: [], deleted: [] };
    if (kind === "create" || kind === "mixed") change.created = this.create(1 + this.random.int(kind === "mixed" ? 2 : 3));
    if (kind === "update" || kind === "mixed") change.updated = this.update(1 + this.random.int(3), change.created);
    if (kind === "delete" || kind === "mixed") change.deleted = this.remove(1 + this.random.int(2), [...change.created, ...change.updated]);
    return change;
  }

  private create(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const provider = FLEET_PROVIDERS[this.random.int(FLEET_PROVIDERS.length)]!;
      const name = `${PREFIX[provider]}-${++this.counter}`;
      this.vms.set(name, { name, provider, memory: MEMORY[this.random.int(MEMORY.length)]!, cores: 1 + this.random.int(2), ...(provider === "cloud" ? { size: SIZES[this.random.int(SIZES.length)]! } : {}) });
      out.push(name);
    }
    return out;
  }

  private update(n: number, skip: string[]): string[] {
    const pool = [...this.vms.keys()].filter((k) => !skip.includes(k));
    const out: string[] = [];
    for (let i = 0; i < n && pool.length; i++) {
      const name = pool.splice(this.random.int(pool.length), 1)[0]!;
      const vm = this.vms.get(name)!;
      if (vm.provider === "cloud") vm.size = vm.size === SIZES[0] ? SIZES[1]! : SIZES[0]!;
      else {
        vm.memory = MEMORY.filter((m) => m !== vm.memory)[this.random.int(MEMORY.length - 1)]!;
        if (this.random.chance(0.5)) vm.cores = vm.cores === 1 ? 2 : 1;
      }
      out.push(name);
    }
    return out;
  }

  private remove(n: number, skip: string[]): string[] {
    const pool = [...this.vms.keys()].filter((k) => !skip.includes(k));
    const out: string[] = [];
    for (let i = 0; i < n && pool.length > 0 && this.vms.size > 1; i++) {
      const name = pool.splice(this.random.int(pool.length), 1)[0]!;
      this.vms.delete(name);
      out.push(name);
    }
    return out;
  }

  /**
   * Problems at the providers, for `stack`: duplicates (two objects of one type for one address),
   * orphans (objects carrying the stack's marker whose address is not desired), missing VMs (or on
   * the wrong provider) and VM fields that differ from the manifests.
   */
  check(objects: MarkedObject[], stack: string): string[] {
    const mine = objects.filter((o) => o.stack === stack);
    const problems: string[] = [];
    const byKey = new Map<string, MarkedObject[]>();
    for (const o of mine) byKey.set(`${o.provider}:${o.type}:${o.address}`, [...(byKey.get(`${o.provider}:${o.type}:${o.address}`) ?? []), o]);
    for (const [key, list] of byKey) if (list.length > 1) problems.push(`duplicate ${key}: ${list.map((o) => `${o.name} (${o.id})`).join(", ")}`);
    const desired = new Set(this.addresses());
    for (const o of mine) if (!desired.has(o.address)) problems.push(`orphan ${o.provider} ${o.type} ${o.name} (${o.id}) carrying the marker of ${o.address}`);
    for (const vm of this.vms.values()) {
      const found = mine.filter((o) => o.type === "vm" && o.address === `VirtualMachine/${vm.name}`);
      const on = found.find((o) => o.provider === vm.provider);
      if (!on) {
        problems.push(`missing VirtualMachine/${vm.name} on ${vm.provider}${found.length ? ` (found on ${found.map((o) => o.provider).join(", ")})` : ""}`);
        continue;
      }
      if (vm.provider === "cloud") {
        if (on.size !== vm.size) problems.push(`VirtualMachine/${vm.name}: size is ${on.size}, the manifest says ${vm.size}`);
      } else {
        if (on.memory !== vm.memory) problems.push(`VirtualMachine/${vm.name}: memory is ${on.memory} MiB, the manifest says ${vm.memory}`);
        if (on.cores !== vm.cores) problems.push(`VirtualMachine/${vm.name}: cores is ${on.cores}, the manifest says ${vm.cores}`);
      }
    }
    return problems;
  }
}
