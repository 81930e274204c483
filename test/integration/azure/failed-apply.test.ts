import { afterAll, beforeAll, describe, expect, test } from "vitest";
import pc from "picocolors";
import type { DesiredState } from "../../../src/manifest/model.js";
import { azureProvider } from "../../../src/providers/azure/index.js";
import type { Provider } from "../../../src/providers/contract.js";
import { execute } from "../../../src/reconcile/execute.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import { renderPlanHuman } from "../../../src/reconcile/render/human.js";
import { renderPlanMarkdown } from "../../../src/reconcile/render/markdown.js";
import { openFileStateStore, type FileStateStore } from "../../../src/state/file-store.js";
import { observeAll, startTestEnv, STACK, vmResource, type AzureTestEnv } from "./helpers.js";

/**
 * A failed apply's own partial change is not "changed outside vmsync": an Azure resize across
 * families deallocates the VM first; when the resize then fails, the next plan says what vmsync left
 * half-done (the deallocation, by the failed step) instead of reporting drift.
 */
let env: AzureTestEnv;
let store: FileStateStore;
beforeAll(async () => {
  env = await startTestEnv();
  store = await openFileStateStore(env.dir);
});
afterAll(async () => {
  await store.close();
  await env.close();
});

const desiredWith = (size: string): DesiredState => ({ providers: new Map([["az", env.config]]), templates: new Map(), resources: [vmResource("app", { size })] });
async function planFor(desired: DesiredState): Promise<Plan> {
  const state = await store.read();
  const observed = await observeAll(env, Object.values(state.resources).map((r) => r.externalId));
  return plan({ stack: STACK, desired, observed: new Map([["az", observed]]), state, providers: new Map<string, Provider>([["az", azureProvider]]) });
}
const apply = (p: Plan) =>
  execute({
    plan: p, sessions: new Map([["az", env.session]]), providers: new Map([["az", azureProvider]]), store,
    limits: new Map([["az", { concurrency: 4, stepTimeoutMs: 60_000 }]]), parallelism: 4, runId: `run-${p.summary.update}-${Date.now()}`,
    stop: new AbortController().signal, abort: new AbortController().signal, onEvent: () => {}, retry: { attempts: 2, baseMs: 5, maxMs: 10 },
  });

describe("a failed Azure resize (deallocated, then the resize failed)", () => {
  test("the next plan says what vmsync left half-done, not drift; a later apply finishes it", async () => {
    expect((await apply(await planFor(desiredWith("Standard_B2s")))).result).toBe("succeeded");

    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.update", shape: "status-failed", code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region.", times: 1 }] });
    const resize = await planFor(desiredWith("Standard_D2s_v5"));
    expect(resize.steps[0]).toMatchObject({ action: "update", changes: [{ path: "size" }] });
    const failed = await apply(resize);
    expect(failed.result).toBe("failed");
    // Azure keeps the new size on the model of a failed update (provisioning state Failed), deallocated
    expect((await observeAll(env)).find((o) => o.name === "app")!.spec).toMatchObject({ power: "deallocated", size: "Standard_D2s_v5" });

    const record = (await store.read()).resources["VirtualMachine/app"]!;
    expect(record.failedStep).toMatchObject({ action: "update", error: expect.stringMatching(/AllocationFailed/), effects: [{ path: "power", value: "deallocated" }] });

    const next = await planFor(desiredWith("Standard_D2s_v5"));
    expect(next.drift).toEqual([]);
    expect(next.unfinished).toEqual([{
      address: "VirtualMachine/app",
      failed: { action: "update", at: record.failedStep!.at, runId: record.failedStep!.runId, error: expect.stringMatching(/AllocationFailed/) },
      changes: [
        { path: "power", applied: "running", observed: "deallocated", note: expect.stringMatching(/vmsync deallocated the VM to resize it/) },
        { path: "size", applied: "Standard_B2s", observed: "Standard_D2s_v5", note: "the failed update was changing it" },
      ],
    }]);
    const human = renderPlanHuman(next, pc.createColors(false));
    expect(human).toContain("Left half-done by a failed apply");
    expect(human).toMatch(/VirtualMachine\/app: the update at .* failed: .*AllocationFailed/);
    expect(human).toContain('power was "running", is now "deallocated" (vmsync deallocated the VM to resize it');
    expect(human).not.toContain("changed outside vmsync");
    expect(renderPlanMarkdown(next)).toContain("Left half-done by a failed apply");
    // the plan still finishes the job: the power state comes back
    expect(next.steps[0]).toMatchObject({ action: "update" });
    expect(next.steps[0]!.changes.map((c) => c.path)).toEqual(["power"]);

    expect((await apply(next)).result).toBe("succeeded");
    const done = await planFor(desiredWith("Standard_D2s_v5"));
    expect(done.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(done.drift).toEqual([]);
    expect(done.unfinished ?? []).toEqual([]);
    expect((await store.read()).resources["VirtualMachine/app"]!.failedStep).toBeUndefined();
  });
});
