/**
 * The provider inside the real pipeline: manifests loaded from a folder → observe → plan → execute
 * (file state store) → plan again, against 24.10 and 25.10 simulators; then drift made with the
 * admin path, and applies under injected faults and dropped connections that must converge
 * without duplicate VMs.
 */
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import type { DesiredState } from "../../../src/manifest/model.js";
import type { Provider, ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider } from "../../../src/providers/truenas/index.js";
import { execute } from "../../../src/reconcile/execute.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import type { StateStore } from "../../../src/state/contract.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { envOf, startSim, VERSIONS, type Sim } from "./helpers.js";

const MANIFESTS = `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: nas }
spec:
  type: truenas
  endpoint: { env: NAS_ENDPOINT }
  tls: { caFile: { env: NAS_CA } }
  auth: { apiKey: { env: NAS_API_KEY } }
  rateLimit: 500
  defaults: { pool: tank, bridge: br0 }
---
apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: web, labels: { role: web } }
spec:
  provider: nas
  replicas: 3
  cpu: { cores: 2 }
  memory: 1GiB
  disks: [{ size: 4GiB, bus: virtio }]
  networks: [{ model: virtio }]
  display: { type: spice, password: { env: DISPLAY_PW } }
---
apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec: { provider: nas, size: 10GiB, networks: [10.0.0.0/24] }
---
apiVersion: vmsync.io/v1
kind: SnapshotSchedule
metadata: { name: nightly }
spec:
  targets: [{ kind: VirtualMachine, selector: { matchLabels: { role: web } } }, { kind: NfsShare, name: media }]
  schedule: daily
  retention: { keepLast: 7 }
`;

const KINDS = ["VirtualMachine", "NfsShare", "SnapshotSchedule"] as const;

/** One stack's pipeline against one simulator. */
class Pipeline {
  desired!: DesiredState;
  store!: StateStore;
  session!: ProviderSession;
  /** Requests that failed (faults, dropped sockets). */
  failedRequests = 0;
  readonly providers = new Map<string, Provider>([["nas", truenasProvider]]);
  constructor(readonly h: Sim, readonly tree: TempTree) {}

  async open(): Promise<void> {
    const loaded = await loadManifests([this.tree.dir], this.tree.dir);
    expect(loaded.errors).toBe(0);
    this.desired = loaded.desired;
    this.store = await openFileStateStore(this.tree.dir);
    this.session = await truenasProvider.connect(this.desired.providers.get("nas")!, { stack: "default", env: envOf(this.h), onRequest: (r) => void (r.error && this.failedRequests++) });
  }

  async reload(): Promise<void> {
    const loaded = await loadManifests([this.tree.dir], this.tree.dir);
    expect(loaded.errors).toBe(0);
    this.desired = loaded.desired;
  }

  async plan(): Promise<Plan> {
    const observed = await this.session.observe({ kinds: [...KINDS], externalIds: [], names: [] });
    return plan({ stack: "default", desired: this.desired, observed: new Map([["nas", observed]]), state: await this.store.read(), providers: this.providers });
  }

  async apply(p: Plan) {
    return execute({
      plan: p, sessions: new Map([["nas", this.session]]), providers: this.providers, store: this.store,
      limits: new Map([["nas", { concurrency: 4, stepTimeoutMs: 30_000 }]]), parallelism: 8, runId: `r${Date.now()}`,
      stop: new AbortController().signal, abort: new AbortController().signal, onEvent: () => {},
      retry: { attempts: 8, baseMs: 10, maxMs: 100 },
    });
  }

  async close(): Promise<void> {
    await this.session.close();
    await this.store.close();
  }
}

const ZERO = { create: 0, update: 0, replace: 0, delete: 0 };

describe.each(VERSIONS)("TrueNAS %s: plan → apply → plan", (version) => {
  let h: Sim;
  let tree: TempTree;
  let p: Pipeline;
  beforeAll(async () => {
    h = await startSim(version);
    tree = await tempTree({ "fleet.yaml": MANIFESTS });
    p = new Pipeline(h, tree);
    await p.open();
  });
  afterAll(async () => {
    await p.close();
    await h.dispose();
    await tree.cleanup();
  });

  it("applies the example and then plans no changes", async () => {
    const first = await p.plan();
    expect(first.errors).toEqual([]);
    expect(first.summary).toEqual({ create: 6, update: 0, replace: 0, delete: 0 });
    const res = await p.apply(first);
    expect(res.result).toBe("succeeded");
    const second = await p.plan();
    expect(second.summary).toEqual(ZERO);
    expect(second.drift).toEqual([]);
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(4);
    const vms = (await h.admin("vm.query", [])) as Array<{ name: string; status: { state: string } }>;
    expect(vms.map((v) => [v.name, v.status.state]).sort()).toEqual([["web_1", "RUNNING"], ["web_2", "RUNNING"], ["web_3", "RUNNING"]]);
  });

  it("shows a change made behind vmsync's back as drift and a planned update, and corrects it", async () => {
    const [vm] = (await h.admin("vm.query", [[["name", "=", "web_2"]]])) as Array<{ id: number }>;
    await h.admin("vm.update", [vm!.id, { memory: 4096, autostart: false }]);
    await h.admin("vm.stop", [vm!.id, { force: true }]);
    const drifted = await p.plan();
    expect(drifted.summary).toEqual({ ...ZERO, update: 1 });
    const step = drifted.steps.find((s) => s.address === "VirtualMachine/web-2")!;
    expect(step.changes.map((c) => [c.path, c.before, c.after, c.effect])).toEqual([["autostart", false, true, "in-place"], ["memory", 4096, 1024, "restart"], ["power", "stopped", "running", "in-place"]]);
    expect(drifted.drift).toEqual([{ address: "VirtualMachine/web-2", type: "changed", changes: expect.arrayContaining([{ path: "memory", applied: 1024, observed: 4096 }]) }]);
    expect((await p.apply(drifted)).result).toBe("succeeded");
    expect((await p.plan()).summary).toEqual(ZERO);
  });

  it("plans the deletion of a VM removed from the manifests and of a schedule target", async () => {
    await writeFile(tree.path("fleet.yaml"), MANIFESTS.replace("replicas: 3", "replicas: 2"));
    await p.reload();
    const shrink = await p.plan();
    expect(shrink.summary).toEqual({ create: 0, update: 1, replace: 0, delete: 1 });
    expect(shrink.steps.find((s) => s.action === "update")).toMatchObject({ address: "SnapshotSchedule/nightly@nas" });
    expect((await p.apply(shrink)).result).toBe("succeeded");
    expect((await p.plan()).summary).toEqual(ZERO);
    expect(await h.admin("vm.query", [[], { count: true }])).toBe(2);
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(3);
  });
});

describe("TrueNAS: applies under faults and dropped connections converge without duplicates", () => {
  it.each(VERSIONS)("%s", async (version) => {
    const h = await startSim(version, { taskDurationMs: 15 });
    const tree = await tempTree({ "fleet.yaml": MANIFESTS.replace("replicas: 3", "replicas: 5") });
    const p = new Pipeline(h, tree);
    try {
      await p.open();
      h.setKnobs({ faultRate: 0.1, seed: Number(process.env.TN_SEED ?? 42) });
      const dropper = setInterval(() => h.dropConnections(), 40);
      let rounds = 0;
      let last: Plan | undefined;
      try {
        for (; rounds < 12; rounds++) {
          last = await p.plan().catch(() => undefined);
          if (!last) continue;
          if (Object.values(last.summary).every((n) => n === 0)) break;
          await p.apply(last);
        }
      } finally {
        clearInterval(dropper);
        h.setKnobs({ faultRate: 0 });
      }
      expect(p.failedRequests).toBeGreaterThan(0);
      const final = await p.plan();
      expect(final.summary).toEqual(ZERO);
      const vms = (await h.admin("vm.query", [])) as Array<{ name: string; devices: unknown[] }>;
      expect(vms.map((v) => v.name).sort()).toEqual(["web_1", "web_2", "web_3", "web_4", "web_5"]);
      expect(vms.every((v) => v.devices.length === 3)).toBe(true);
      expect(await h.admin("sharing.nfs.query", [[], { count: true }])).toBe(1);
      expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(6);
    } finally {
      await p.close();
      await h.dispose();
      await tree.cleanup();
    }
  });
});
