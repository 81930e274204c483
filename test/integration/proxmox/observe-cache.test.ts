import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ObservedResource, Provider, ProviderSession } from "../../../src/providers/contract.js";
import { proxmoxProvider } from "../../../src/providers/proxmox/index.js";
import { execute } from "../../../src/reconcile/execute.js";
import { planFreshly } from "../../../src/reconcile/fresh-reads.js";
import { observeAll } from "../../../src/reconcile/observe.js";
import { memoryCacheStore, openCaches, saveCaches, type ObserveCacheStore } from "../../../src/reconcile/observe-caches.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import type { StateStore } from "../../../src/state/contract.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import { allGuests, connect, providerYaml, pveApi, STACK, startWorld, vmYaml, waitUpid, type World } from "./helpers.js";

const MIN = 60_000;
const CONFIG_READ = "GET /nodes/{node}/qemu/{vmid}/config";

function manifests(vms: Record<string, string>): Record<string, string> {
  return { "pve.yaml": providerYaml(), ...Object.fromEntries(Object.entries(vms).map(([n, extra]) => [`${n}.yaml`, vmYaml(n, `  memory: 1GiB\n  disks: [{ size: 4GiB }]\n  networks: [{ model: virtio }]\n  power: stopped\n${extra}`)])) };
}

/**
 * Plans the way `vmsync plan` does (observation cache, fresh reads of what the plan would change)
 * at clock `now`; with `apply`, executes the plan. Returns the plan and the config reads it cost.
 */
async function reconcileCached(w: World, store: StateStore, caches: ObserveCacheStore, o: { now: number; apply?: boolean; fullRefresh?: boolean; daemon?: boolean }): Promise<{ plan: Plan; configReads: number; observed: ObservedResource[] }> {
  const desired = await w.load();
  const session = await connect(w, desired);
  const before = w.sim.requests()[CONFIG_READ] ?? 0;
  try {
    const state = await store.read();
    const sessions = new Map<string, ProviderSession>([["pve", session]]);
    const providers = new Map<string, Provider>([["pve", proxmoxProvider]]);
    const open = await openCaches(caches, ["pve"], { desired, state, env: w.env, now: o.now, reuse: !o.fullRefresh, reuseOnlyWhenSet: o.daemon === true });
    const observed = await observeAll(sessions, desired, state, open);
    const { plan: p, observed: seen } = await planFreshly({ sessions, observed, plan: (obs) => plan({ stack: STACK, desired, observed: obs, state, providers, options: { allowMassDelete: true } }) });
    await saveCaches(caches, open);
    const configReads = (w.sim.requests()[CONFIG_READ] ?? 0) - before;
    if (o.apply) {
      const r = await execute({
        plan: p, sessions, providers, store, limits: new Map([["pve", { concurrency: 5, stepTimeoutMs: 60_000 }]]), parallelism: 10, runId: `run-${o.now}`,
        stop: new AbortController().signal, abort: new AbortController().signal, onEvent: () => {}, retry: { attempts: 3, baseMs: 10, maxMs: 50 },
      });
      expect(r.result).toBe("succeeded");
    }
    return { plan: p, configReads, observed: seen.get("pve") ?? [] };
  } finally {
    await session.close();
  }
}

async function vmidOf(w: World, name: string): Promise<number> {
  return (await allGuests(w)).find((g) => g.name === name)!.vmid;
}

/** Changes a guest's config behind vmsync's back (through the API, as a person with the web UI would). */
async function changeOutside(w: World, name: string, params: Record<string, string | number>): Promise<void> {
  const r = await pveApi(w, "POST", `/nodes/pve1/qemu/${await vmidOf(w, name)}/config`, params);
  expect(await waitUpid(w, r.data)).toBe("OK");
}

/** One test's world: a simulator, a file state and a memory cache, with `files` applied at `t0` (then `prepare`). */
interface CachedWorld {
  w: World;
  store: StateStore;
  caches: ObserveCacheStore;
  t0: number;
  /** {@link reconcileCached} on this world. */
  reconcile(o: Parameters<typeof reconcileCached>[3]): ReturnType<typeof reconcileCached>;
}

/** Registers the hooks that give each test of the enclosing describe a fresh {@link CachedWorld}. */
function cachedWorld(files: () => Record<string, string>, prepare?: (f: CachedWorld) => Promise<void>): CachedWorld {
  const f = { t0: Date.now(), reconcile: (o) => reconcileCached(f.w, f.store, f.caches, o) } as CachedWorld;
  beforeEach(async () => {
    f.w = await startWorld();
    f.store = await openFileStateStore(f.w.dir);
    f.caches = memoryCacheStore();
    await f.w.write(files());
    await f.reconcile({ now: f.t0, apply: true });
    await prepare?.(f);
  });
  afterEach(async () => {
    await f.store.close();
    await f.w.stop();
  });
  return f;
}

describe("proxmox observe: configs served from the observation cache", () => {
  const f = cachedWorld(() => manifests({ a: "", b: "", c: "" }));

  it("reads no config when the list data is unchanged, and says so in the plan notes", async () => {
    const first = await f.reconcile({ now: f.t0 + 1000 });
    expect(first.configReads).toBe(3); // applied since the cache was made: read again
    const second = await f.reconcile({ now: f.t0 + 2000 });
    expect(second.configReads).toBe(0);
    expect(second.plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(second.plan.notes.join("\n")).toMatch(/pve: 3 of 3 objects were not read again/);
    const full = await f.reconcile({ now: f.t0 + 3000, fullRefresh: true });
    expect(full.configReads).toBe(3);
    expect(full.plan.notes.join("\n")).not.toMatch(/not read again/);
  });

  it("in the watch daemon reads every config on every pass, unless the provider sets fullReadInterval", async () => {
    await f.reconcile({ now: f.t0 + 1000 });
    const daemonPass = await f.reconcile({ now: f.t0 + 2000, daemon: true });
    expect(daemonPass.configReads).toBe(3);
    expect(daemonPass.plan.notes.join("\n")).not.toMatch(/not read again/);
    // a change Proxmox keeps pending on a running guest shows in no list: only a config read finds it
    await f.w.write({ "pve.yaml": providerYaml().replace("  concurrency:", "  fullReadInterval: 10m\n  concurrency:") });
    const set = await f.reconcile({ now: f.t0 + 3000, daemon: true });
    expect(set.configReads).toBe(0);
    expect(set.plan.notes.join("\n")).toMatch(/pve: 3 of 3 objects were not read again/);
  });

  it("finds drift in the list data at once, and drift elsewhere at the next full read", async () => {
    await f.reconcile({ now: f.t0 + 1000 });
    await changeOutside(f.w, "a", { memory: 2048 }); // shows in the list (maxmem)
    await changeOutside(f.w, "b", { net0: "virtio,bridge=vmbr1" }); // does not
    const soon = await f.reconcile({ now: f.t0 + 2000 });
    expect(soon.configReads).toBe(1); // a, whose list data changed
    expect(soon.plan.drift.map((d) => d.address)).toEqual(["VirtualMachine/a"]);
    const later = await f.reconcile({ now: f.t0 + 16 * MIN });
    expect(later.plan.drift.map((d) => d.address)).toEqual(["VirtualMachine/a", "VirtualMachine/b"]);
    expect(later.plan.steps.find((s) => s.address === "VirtualMachine/b")?.changes.map((c) => c.path)).toEqual(["networks[0].bridge"]);
  });

  it("reads a cached guest again before planning to change it, and plans from what it read", async () => {
    await f.reconcile({ now: f.t0 + 1000 });
    await changeOutside(f.w, "b", { net0: "virtio,bridge=vmbr1" }); // invisible to the list
    await f.w.write(manifests({ a: "", b: "  description: \"changed in git\"\n", c: "" }));
    const r = await f.reconcile({ now: f.t0 + 2000, apply: true });
    const step = r.plan.steps.find((s) => s.address === "VirtualMachine/b")!;
    expect(step.action).toBe("update");
    // the plan was made from a fresh read: it saw the bridge changed outside, not the cached vmbr0
    expect(step.changes.map((c) => c.path).sort()).toEqual(["description", "networks[0].bridge"]);
    expect(r.configReads).toBe(1);
    const after = await f.reconcile({ now: f.t0 + 3000, fullRefresh: true });
    expect(after.plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("never deletes a guest whose marker changed behind a cached read", async () => {
    await f.reconcile({ now: f.t0 + 1000 });
    // someone re-purposes c for another stack: its description (marker) changes, its list data does not
    const vmid = await vmidOf(f.w, "c");
    const cfg = (await pveApi(f.w, "GET", `/nodes/pve1/qemu/${vmid}/config`)).data as { description: string };
    await changeOutside(f.w, "c", { description: cfg.description.replace(`stack=${STACK}`, "stack=other") });
    await rm(join(f.w.dir, "c.yaml"));
    const r = await f.reconcile({ now: f.t0 + 2000, apply: false });
    const step = r.plan.steps.find((s) => s.address === "VirtualMachine/c")!;
    expect(step.action).toBe("delete");
    expect(step.blocked).toBe(true);
    expect(step.reason).toMatch(/belongs to vmsync stack "other"/);
    expect((await allGuests(f.w)).map((g) => g.name).sort()).toEqual(["a", "b", "c"]);
  });
});

describe("proxmox observe: containers served from the observation cache", () => {
  const CT_READ = "GET /nodes/{node}/lxc/{vmid}/config";
  const ct = (description: string) => `apiVersion: vmsync.io/v1
kind: Container
metadata:
  name: app
spec:
  provider: pve
  ostemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst
  cores: 1
  memory: 512MiB
  rootfs: { size: 4GiB }
  description: "${description}"
`;
  const f = cachedWorld(() => ({ "pve.yaml": providerYaml(), "app.yaml": ct("app") }));

  it("reads no container config when its list data is unchanged, and reads it again before changing it", async () => {
    const reads = () => f.w.sim.requests()[CT_READ] ?? 0;
    await f.reconcile({ now: f.t0 + 1000 });
    const before = reads();
    const quiet = await f.reconcile({ now: f.t0 + 2000 });
    expect(reads() - before).toBe(0);
    expect(quiet.plan.notes.join("\n")).toMatch(/pve: 1 of 1 objects were not read again/);
    const vmid = ((await pveApi(f.w, "GET", "/nodes/pve1/lxc")).data as Array<{ vmid: number }>)[0]!.vmid;
    expect((await pveApi(f.w, "PUT", `/nodes/pve1/lxc/${vmid}/config`, { onboot: 1 })).status).toBe(200); // outside vmsync, not in the list data
    await f.w.write({ "app.yaml": ct("changed in git") });
    const r = await f.reconcile({ now: f.t0 + 3000, apply: true });
    const step = r.plan.steps.find((s) => s.address === "Container/app")!;
    expect(step.action).toBe("update");
    expect(step.changes.map((c) => c.path).sort()).toEqual(["description", "onboot"]); // planned from a fresh read
  });
});

describe("proxmox observe: guest agent addresses and the observation cache", () => {
  const AGENT_READ = "GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces";
  const web = (description: string) => vmYaml("web", `  memory: 1GiB\n  disks: [{ size: 4GiB }]\n  networks: [{ model: virtio }]\n  power: running\n  description: "${description}"\n`);
  const f = cachedWorld(() => ({ "pve.yaml": providerYaml(), "web.yaml": web("web") }), async (world) => {
    await changeOutside(world.w, "web", { agent: 1 }); // not in the list data
    await world.reconcile({ now: world.t0 + 1000, fullRefresh: true });
  });

  it("asks the agent of a running VM whose config the cache served, and never keeps its addresses in the cache", async () => {
    const agentCalls = () => f.w.sim.requests()[AGENT_READ] ?? 0;
    const before = agentCalls();
    const r = await f.reconcile({ now: f.t0 + 2000 });
    expect(r.configReads).toBe(0);
    const vm = r.observed.find((o) => o.name === "web")!;
    expect(vm.cachedAt).toBeDefined();
    expect(vm.status?.addresses?.[0]).toMatch(/^10\./);
    expect(agentCalls() - before).toBe(1);
    const kept = await f.caches.load("pve", (await openCaches(f.caches, ["pve"], { desired: await f.w.load(), state: await f.store.read(), env: f.w.env, now: f.t0, reuse: true })).get("pve")!.identity);
    expect(kept.length).toBe(1);
    expect(kept[0]!.observed.status?.addresses).toBeUndefined();
  });

  it("keeps the addresses of a VM read again before a change", async () => {
    await f.w.write({ "web.yaml": web("changed in git") });
    const r = await f.reconcile({ now: f.t0 + 2000 });
    expect(r.configReads).toBe(1); // the fresh read before the update
    const vm = r.observed.find((o) => o.name === "web")!;
    expect(vm.cachedAt).toBeUndefined();
    expect(vm.status?.addresses?.[0]).toMatch(/^10\./);
  });
});
