import type { DesiredProvider, DesiredResource, DesiredState, Lifecycle } from "../../src/manifest/model.js";
import type { ResourceRecord, StateSnapshot } from "../../src/state/contract.js";
import { emptyState } from "../../src/state/contract.js";
import { plan, type PlanOptions } from "../../src/reconcile/plan.js";
import { FakeProvider, type FakeObject } from "./fake-provider.js";

/** Spec fields a test VM may set. */
export interface VmOpts {
  memory?: string;
  cores?: number;
  node?: string;
  disks?: string[];
  tags?: string[];
  lifecycle?: Partial<Lifecycle>;
  dependsOn?: string[];
}

const PROVIDER: DesiredProvider = {
  name: "pve",
  spec: { type: "proxmox", endpoint: "https://127.0.0.1:8006", auth: { tokenId: "t", tokenSecret: { env: "X" } } },
  source: { file: "p.yaml", line: 1, column: 1 },
  baseDir: "/tmp",
  root: "/tmp",
};

/**
 * A small builder of planner scenarios: desired VMs, objects at the fake provider, records in
 * state; `plan()` runs the real planner over them.
 */
export class Scenario {
  readonly provider = new FakeProvider();
  readonly desired: DesiredResource[] = [];
  state: StateSnapshot = emptyState();
  readonly stack = "test";

  /** A desired VM on provider `pve`. */
  vm(name: string, o: VmOpts = {}): this {
    this.desired.push({
      address: `VirtualMachine/${name}`, kind: "VirtualMachine", name, provider: "pve", externalName: name, labels: {},
      spec: { provider: "pve", memory: o.memory ?? "1GiB", cpu: { cores: o.cores ?? 1 }, node: o.node ?? "pve1", disks: (o.disks ?? ["8GiB"]).map((size) => ({ size })), power: "running", tags: o.tags ?? [] },
      lifecycle: { protect: false, ignoreChanges: [], updatePolicy: "in-place-only", suspend: false, ...o.lifecycle },
      dependsOn: o.dependsOn ?? [], source: { file: "vms.yaml", line: 1, column: 1 },
    });
    return this;
  }

  /** The canonical spec the fake provider gives a VM with these options. */
  spec(o: VmOpts = {}) {
    return { memory: 1024 * (o.memory ? parseInt(o.memory) : 1), cores: o.cores ?? 1, node: o.node ?? "pve1", disks: (o.disks ?? ["8GiB"]).map((d) => ({ size: parseInt(d) * 1024 })), power: "running", tags: o.tags ?? [] };
  }

  /** An object at the provider; `owned` adds this stack's marker. */
  exists(name: string, o: VmOpts & { owned?: boolean | string; id?: string } = {}): FakeObject {
    const marker = o.owned ? { stack: typeof o.owned === "string" ? o.owned : this.stack, address: `VirtualMachine/${name}` } : undefined;
    return this.provider.put({ kind: "VirtualMachine", name, spec: this.spec(o), ...(marker ? { marker } : {}), ...(o.id ? { id: o.id } : {}) });
  }

  /** A record in state for an object (as after an apply). */
  managed(obj: FakeObject, extra: Partial<ResourceRecord> = {}): this {
    const address = `VirtualMachine/${obj.name}`;
    this.state.resources[address] = { address, kind: "VirtualMachine", provider: "pve", externalId: obj.id, appliedSpec: structuredClone(obj.spec), protect: false, appliedAt: "2026-01-01T00:00:00Z", origin: "created", ...extra };
    return this;
  }

  /** A VM that exists, is in state and is desired unchanged. */
  inSync(name: string, o: VmOpts = {}): this {
    this.vm(name, o);
    return this.managed(this.exists(name, { ...o, owned: true }));
  }

  desiredState(): DesiredState {
    return { providers: new Map([["pve", PROVIDER]]), templates: new Map(), resources: [...this.desired].sort((a, b) => a.address.localeCompare(b.address)) };
  }

  plan(options: PlanOptions = {}) {
    return plan({
      stack: this.stack, desired: this.desiredState(), observed: new Map([["pve", this.provider.observed()]]), state: this.state,
      providers: new Map([["pve", this.provider]]), options,
    });
  }
}
