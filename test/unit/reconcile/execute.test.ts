import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExecEvent } from "../../../src/reconcile/events.js";
import { execute, PlanNotApplicableError, type ExecuteInput } from "../../../src/reconcile/execute.js";
import type { RetryRuntime } from "../../../src/reconcile/retry.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import type { StateStore } from "../../../src/state/contract.js";
import { permanent, transient } from "../../helpers/fake-provider.js";
import { Scenario } from "../../helpers/scenario.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/** Retries without waiting; records the delays asked for. */
function instantRuntime(delays: number[] = []): RetryRuntime {
  return { sleep: async (ms) => void delays.push(ms), random: () => 0.5, now: Date.now };
}

describe("executor (fake provider, real file state)", () => {
  let tree: TempTree;
  let store: StateStore;
  beforeEach(async () => {
    tree = await tempTree({});
    store = await openFileStateStore(tree.dir);
  });
  afterEach(async () => {
    await store.close();
    await tree.cleanup();
  });

  async function apply(s: Scenario, over: Partial<ExecuteInput> = {}) {
    s.state = await store.read();
    const plan = s.plan({ allowMassDelete: true });
    const events: ExecEvent[] = [];
    const session = await s.provider.connect();
    const result = await execute({
      plan, sessions: new Map([["pve", session]]), providers: new Map([["pve", s.provider]]), store,
      limits: new Map([["pve", { concurrency: 4, stepTimeoutMs: 10_000 }]]), parallelism: 10, runId: "r1",
      stop: new AbortController().signal, abort: new AbortController().signal, onEvent: (e) => events.push(e), runtime: instantRuntime(), ...over,
    });
    return { plan, result, events };
  }

  it("creates in dependency order and records each step in state", async () => {
    const s = new Scenario().vm("base").vm("app", { dependsOn: ["VirtualMachine/base"] });
    const { result } = await apply(s);
    expect(result.result).toBe("succeeded");
    expect(s.provider.calls.map((c) => c.address)).toEqual(["VirtualMachine/base", "VirtualMachine/app"]);
    const state = await store.read();
    expect(Object.keys(state.resources).sort()).toEqual(["VirtualMachine/app", "VirtualMachine/base"]);
    expect(state.pending).toEqual({});
    expect(state.resources["VirtualMachine/app"]!.dependsOn).toEqual(["VirtualMachine/base"]);
  });

  it("a failed update is remembered on the record with its partial effects (every attempt's), and cleared by the next success", async () => {
    const { withPartialEffects } = await import("../../../src/providers/contract.js");
    const s = new Scenario().vm("web");
    await apply(s);
    s.desired.length = 0;
    s.vm("web", { cores: 4, memory: "2GiB" });
    s.provider.hook = (op, _a, attempt) => {
      if (op !== "update") return;
      if (attempt === 1) throw withPartialEffects(transient(), [{ path: "power", value: "stopped", note: "vmsync stopped it to change memory" }]);
      throw permanent("HTTP 400 no memory");
    };
    const { result } = await apply(s);
    expect(result.result).toBe("failed");
    const failed = (await store.read()).resources["VirtualMachine/web"]!.failedStep;
    expect(failed).toMatchObject({ runId: "r1", action: "update", error: "HTTP 400 no memory", changing: ["cores", "memory"], effects: [{ path: "power", value: "stopped" }] });
    s.provider.hook = () => {};
    expect((await apply(s)).result.result).toBe("succeeded");
    expect((await store.read()).resources["VirtualMachine/web"]!.failedStep).toBeUndefined();
  });

  it("tells the provider a create is fresh only on its first attempt and when no earlier run began it", async () => {
    const s = new Scenario().vm("a").vm("b").vm("c");
    await store.commit([{ type: "putPending", pending: { address: "VirtualMachine/c", kind: "VirtualMachine", provider: "pve", marker: "test/VirtualMachine/c", externalName: "c", startedAt: "2024-01-01T00:00:00Z", runId: "old" } }]);
    s.provider.hook = (_op, address, attempt) => {
      if (address === "VirtualMachine/b" && attempt === 1) throw transient();
    };
    const { result } = await apply(s);
    expect(result.result).toBe("succeeded");
    const fresh = s.provider.createRequests.map((r) => [r.address, r.fresh === true]);
    expect(fresh).toEqual(expect.arrayContaining([["VirtualMachine/a", true], ["VirtualMachine/b", true], ["VirtualMachine/b", false], ["VirtualMachine/c", false]]));
    expect(fresh).toHaveLength(4);
  });

  it("a second plan after apply has no changes", async () => {
    const s = new Scenario().vm("a").vm("b", { tags: ["x"] });
    await apply(s);
    s.state = await store.read();
    expect(s.plan().summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("deletes in reverse dependency order", async () => {
    const s = new Scenario().vm("base").vm("app", { dependsOn: ["VirtualMachine/base"] });
    await apply(s);
    s.desired.length = 0;
    s.provider.calls.length = 0;
    await apply(s);
    expect(s.provider.calls.map((c) => `${c.op} ${c.address}`)).toEqual(["delete VirtualMachine/app", "delete VirtualMachine/base"]);
    expect((await store.read()).resources).toEqual({});
  });

  it("keeps to the per-provider concurrency limit", async () => {
    const s = new Scenario();
    for (let i = 0; i < 12; i++) s.vm(`vm-${i}`);
    s.provider.hook = () => new Promise((r) => setTimeout(r, 60));
    await apply(s, { limits: new Map([["pve", { concurrency: 3, stepTimeoutMs: 10_000 }]]) });
    // never above the limit, and the limit is actually used (steps overlap)
    expect(s.provider.maxInFlight).toBeLessThanOrEqual(3);
    expect(s.provider.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(s.provider.world.size).toBe(12);
  });

  it("retries transient errors with backoff, and not permanent ones", async () => {
    const s = new Scenario().vm("flaky").vm("broken");
    s.provider.hook = (_op, address, attempt) => {
      if (address.endsWith("flaky") && attempt <= 2) throw transient();
      if (address.endsWith("broken")) throw permanent("HTTP 400: parameter verification failed");
    };
    const delays: number[] = [];
    const { result, events } = await apply(s, { runtime: instantRuntime(delays) });
    expect(result.result).toBe("partial");
    expect(s.provider.calls.filter((c) => c.address.endsWith("flaky"))).toHaveLength(3);
    expect(s.provider.calls.filter((c) => c.address.endsWith("broken"))).toHaveLength(1);
    expect(delays).toEqual([375, 750]); // 500·2^(n-1), equal jitter at random()=0.5
    expect(events.filter((e) => e.type === "step.retry")).toHaveLength(2);
    expect(events.find((e) => e.type === "step.failed")).toMatchObject({ address: "VirtualMachine/broken", retryable: false, attempts: 1, error: expect.stringMatching(/parameter verification failed/) });
  });

  it("honours a provider's Retry-After when it is longer than the backoff", async () => {
    const s = new Scenario().vm("a");
    s.provider.hook = (_op, _a, attempt) => {
      if (attempt === 1) throw Object.assign(transient("429"), { retryAfterMs: 7000 });
    };
    const delays: number[] = [];
    await apply(s, { runtime: instantRuntime(delays) });
    expect(delays).toEqual([7000]);
  });

  it("a failed step skips its dependents while independent branches finish", async () => {
    const s = new Scenario().vm("base").vm("app", { dependsOn: ["VirtualMachine/base"] }).vm("other");
    s.provider.hook = (_op, address) => {
      if (address.endsWith("base")) throw permanent();
    };
    const { result, events } = await apply(s);
    expect(result.steps.map((x) => `${x.address}:${x.result}`).sort()).toEqual(["VirtualMachine/app:skipped", "VirtualMachine/base:failed", "VirtualMachine/other:succeeded"]);
    expect(events.find((e) => e.type === "step.skipped")).toMatchObject({ address: "VirtualMachine/app", reason: "depends on VirtualMachine/base, which failed" });
    expect(Object.keys((await store.read()).resources)).toEqual(["VirtualMachine/other"]);
  });

  it("on stop: starts nothing new, lets in-flight steps finish and records them", async () => {
    const s = new Scenario().vm("a").vm("b").vm("c");
    const stop = new AbortController();
    s.provider.hook = async (_op, address) => {
      if (address.endsWith("a")) {
        stop.abort();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const { result, events } = await apply(s, { stop: stop.signal, parallelism: 1 });
    expect(result.result).toBe("cancelled");
    expect(result.steps.map((x) => `${x.address}:${x.result}`)).toEqual(["VirtualMachine/a:succeeded", "VirtualMachine/b:cancelled", "VirtualMachine/c:cancelled"]);
    expect(Object.keys((await store.read()).resources)).toEqual(["VirtualMachine/a"]);
    expect(events.at(-1)).toMatchObject({ type: "summary", result: "cancelled", cancelled: 2 });
  });

  it("resumes after a crash mid-create without a duplicate (pending record + marker → adopt)", async () => {
    const s = new Scenario().vm("web");
    s.provider.hook = (op, address, attempt) => {
      if (op === "create" && attempt === 1) {
        s.provider.put({ kind: "VirtualMachine", name: "web", marker: { stack: "test", address }, spec: s.spec() }); // the VM was made…
        throw permanent("connection reset"); // …but the process never learned of it
      }
    };
    await apply(s);
    const crashed = await store.read();
    expect(crashed.pending["VirtualMachine/web"]).toMatchObject({ marker: "test/VirtualMachine/web", externalName: "web" });
    expect(crashed.resources).toEqual({});
    s.provider.hook = () => {};
    const { plan } = await apply(s);
    expect(plan.steps[0]).toMatchObject({ adopt: true, action: "noop" });
    expect(s.provider.world.size).toBe(1);
    const after = await store.read();
    expect(Object.keys(after.resources)).toEqual(["VirtualMachine/web"]);
    expect(after.pending).toEqual({});
  });

  it("reports a result that differs from the plan instead of looping", async () => {
    const s = new Scenario().vm("web", { cores: 4 });
    const session = await s.provider.connect();
    const realCreate = session.create;
    s.provider.connect = async () => ({ ...session, create: async (req, ctx) => ({ ...(await realCreate(req, ctx)), spec: { ...req.spec, cores: 2 } }) });
    const { events } = await apply(s);
    expect(events.find((e) => e.type === "step.done")).toMatchObject({ mismatch: [{ path: "cores", before: 2, after: 4 }] });
  });

  it("refuses a plan with errors", async () => {
    const s = new Scenario().vm("web");
    s.exists("web"); // unowned conflict
    await expect(apply(s)).rejects.toBeInstanceOf(PlanNotApplicableError);
  });

  it("writes a state-only step (protect added) without calling the provider, and the protection then holds", async () => {
    const s = new Scenario().vm("db");
    await apply(s);
    s.desired.length = 0;
    s.vm("db", { lifecycle: { protect: true } });
    s.provider.calls.length = 0;
    await apply(s);
    expect(s.provider.calls).toEqual([]);
    expect((await store.read()).resources["VirtualMachine/db"]!.protect).toBe(true);
    s.desired.length = 0; // the manifest is deleted by accident
    const { plan } = await apply(s);
    expect(plan.steps[0]).toMatchObject({ action: "noop", reasonCode: "blocked-protected" });
    expect(s.provider.world.size).toBe(1);
  });

  it("keeps an imported resource imported across updates", async () => {
    const s = new Scenario().vm("legacy", { cores: 2 });
    const obj = s.exists("legacy");
    await store.commit([{ type: "putResource", record: { address: "VirtualMachine/legacy", kind: "VirtualMachine", provider: "pve", externalId: obj.id, appliedSpec: obj.spec, protect: false, appliedAt: "2026-01-01T00:00:00Z", origin: "imported" } }]);
    const { result } = await apply(s);
    expect(result.result).toBe("succeeded");
    expect((await store.read()).resources["VirtualMachine/legacy"]).toMatchObject({ origin: "imported" });
  });
});
