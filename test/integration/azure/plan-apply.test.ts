import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import type { DesiredState } from "../../../src/manifest/model.js";
import { azureProvider } from "../../../src/providers/azure/index.js";
import type { Provider, ProviderSession } from "../../../src/providers/contract.js";
import { execute } from "../../../src/reconcile/execute.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import { startAzureSim, type AzureSimHandle } from "../../../src/sim/azure/index.js";
import { openFileStateStore, type FileStateStore } from "../../../src/state/file-store.js";

const STACK = "azure-dev";
let dir: string;
let sim: AzureSimHandle;
let store: FileStateStore;
let desired: DesiredState;
let session: ProviderSession;

/** The azure-dev example with its Provider pointed at the simulator. */
async function exampleOnSim(): Promise<string> {
  const to = join(dir, "manifests");
  await cp(join(process.cwd(), "examples/clusters/azure-dev"), to, { recursive: true });
  const providers = (await readFile(join(to, "providers.yaml"), "utf8"))
    .replace("auth: { type: default }", `auth: { type: static-token, token: { env: AZ_TOKEN } }\n  endpoint: ${sim.endpoint}\n  tls: { caFile: ${JSON.stringify(sim.caFile)} }\n  rateLimit: 500`);
  await writeFile(join(to, "providers.yaml"), providers);
  return to;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-azdev-"));
  sim = await startAzureSim({ dir: join(dir, "sim"), knobs: { taskDurationMs: 15, pageSize: 2, throttleRetryAfterMs: 20 } });
  const manifests = await exampleOnSim();
  const loaded = await loadManifests([manifests]);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  desired = loaded.desired;
  const env = { ...process.env, AZURE_SUBSCRIPTION_ID: sim.credentials.subscriptionId, AZ_TOKEN: sim.credentials.token, VMSYNC_AZURE_POLL_MS: "5" };
  session = await azureProvider.connect(desired.providers.get("azure")!, { stack: STACK, env, onRequest: (r) => { if ((r.status ?? 0) >= 429) faultsSeen++; } });
  store = await openFileStateStore(dir);
});
afterEach(async () => {
  await store.close();
  await session.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function makePlan(): Promise<Plan> {
  const state = await store.read();
  const externalIds = Object.values(state.resources).filter((r) => r.provider === "azure").map((r) => r.externalId);
  const names = desired.resources.filter((r) => r.provider === "azure").map((r) => r.externalName ?? r.name);
  const observed = await session.observe({ kinds: ["VmTemplate", "VirtualMachine", "NfsShare", "SnapshotSchedule"], externalIds, names });
  return plan({ stack: STACK, desired, observed: new Map([["azure", observed]]), state, providers: new Map<string, Provider>([["azure", azureProvider]]) });
}

let retries = 0;
let faultsSeen = 0;
async function apply(p: Plan) {
  return execute({
    plan: p, sessions: new Map([["azure", session]]), providers: new Map([["azure", azureProvider]]), store,
    limits: new Map([["azure", { concurrency: 8, stepTimeoutMs: 60_000 }]]), parallelism: 8, runId: `run-${Date.now()}`,
    stop: new AbortController().signal, abort: new AbortController().signal, onEvent: (e) => { if (e.type === "step.retry") retries++; }, retry: { attempts: 8, baseMs: 10, maxMs: 100 },
  });
}

describe("examples/clusters/azure-dev against the simulator", () => {
  test("plan → apply → plan shows no changes", async () => {
    const first = await makePlan();
    expect(first.errors).toEqual([]);
    expect(first.summary).toEqual({ create: 5, update: 0, replace: 0, delete: 0 });
    const result = await apply(first);
    expect(result.steps.filter((s) => s.result !== "succeeded")).toEqual([]);
    const second = await makePlan();
    expect(second.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(second.drift).toEqual([]);
    const { compute } = (await import("../sim-azure/helpers.js")).clientsFor(sim);
    const vms = [];
    for await (const v of compute.virtualMachines.list("rg-devboxes")) vms.push(v.name);
    expect(vms).toEqual(["devbox-1", "devbox-2", "devbox-3"]);
  });

  test("with injected 429/5xx (faultRate 0.1) it still converges, without duplicates", async () => {
    sim.setKnobs({ faultRate: 0.1, seed: 7 });
    let last: Plan | undefined;
    for (let round = 0; round < 8; round++) {
      let p: Plan;
      try {
        p = await makePlan();
      } catch {
        continue; // an observe hit a fault: plan again
      }
      last = p;
      if (p.steps.every((s) => s.action === "noop")) break;
      await apply(p);
    }
    sim.setKnobs({ faultRate: 0 });
    const final = await makePlan();
    expect(final.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(last).toBeDefined();
    expect(faultsSeen).toBeGreaterThan(0); // faults did hit; request retries (and the executor's) absorbed them
    const { compute, network, storage } = (await import("../sim-azure/helpers.js")).clientsFor(sim);
    const names = async (it: AsyncIterable<{ name?: string }>) => { const out = []; for await (const x of it) out.push(x.name); return out.sort(); };
    expect(await names(compute.virtualMachines.list("rg-devboxes"))).toEqual(["devbox-1", "devbox-2", "devbox-3"]);
    expect(await names(network.networkInterfaces.list("rg-devboxes"))).toEqual(["devbox-1-nic", "devbox-2-nic", "devbox-3-nic"]);
    expect(await names(network.publicIPAddresses.list("rg-devboxes"))).toEqual(["devbox-1-pip", "devbox-2-pip", "devbox-3-pip"]);
    expect(await names(compute.disks.listByResourceGroup("rg-devboxes"))).toEqual(["devbox-1-osdisk", "devbox-2-osdisk", "devbox-3-osdisk"]);
    expect(await names(storage.storageAccounts.listByResourceGroup("rg-devboxes"))).toEqual(["devboxeshome01"]);
    expect(Object.keys((await store.read()).resources).sort()).toEqual(["NfsShare/home", "SnapshotSchedule/daily", "VirtualMachine/devbox-1", "VirtualMachine/devbox-2", "VirtualMachine/devbox-3"]);
  });
});
