import { afterEach, describe, expect, it } from "vitest";
import { vm } from "../../helpers/manifests.js";
import { startHarness, type Harness } from "./harness.js";

describe("daemon reconcile passes (fake provider)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("applies the manifests at startup, then a manifest edit, recording history", async () => {
    h = await startHarness();
    expect([...h.fake.world.values()].map((o) => o.name)).toEqual(["web"]);
    expect(h.daemon.status.snapshot()).toMatchObject({ ready: true, lastReconcile: { outcome: "reconciled", applied: { result: "succeeded" } } });
    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 4 }\n") });
    await h.pass("changed vms.yaml");
    expect([...h.fake.world.values()][0]!.spec.cores).toBe(4);
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create", "update"]);
    const history = await h.store.history();
    expect(history.map((e) => e.command)).toEqual(["watch --mode apply", "watch --mode apply"]);
    await h.pass("resync");
    expect(h.fake.calls).toHaveLength(2); // nothing left to do
  });

  it("reports a manifest error, applies nothing until it is fixed", async () => {
    h = await startHarness();
    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 4 }\n  memroy: 2GiB\n") });
    await h.pass("changed vms.yaml");
    const status = h.daemon.status.snapshot();
    expect(status.manifests.valid).toBe(false);
    expect(status.manifests.errors.join("\n")).toMatch(/memroy/);
    expect(status.lastReconcile?.outcome).toBe("invalid");
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    expect(h.logger.lines.some((l) => l.level === "error" && /nothing is observed or applied/.test(l.message))).toBe(true);
    // a half-written file is just another manifest error
    await h.write({ "vms.yaml": "apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata:\n  name: web\nspec:\n  provider: pve\n  memory: [" });
    await h.pass("changed vms.yaml");
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 4 }\n") });
    await h.pass("changed vms.yaml");
    expect(h.daemon.status.snapshot().manifests).toEqual({ valid: true, errors: [] });
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create", "update"]);
  });

  it("in observe mode reports drift and changes nothing; apply mode corrects it", async () => {
    h = await startHarness();
    const obj = [...h.fake.world.values()][0]!;
    obj.spec.memory = 4096; // changed behind vmsync's back
    await h.restart({ mode: "observe" });
    let status = h.daemon.status.snapshot();
    expect(status.drift).toEqual([{ address: "VirtualMachine/web", type: "changed", paths: ["memory"] }]);
    expect(status.resources.find((r) => r.address === "VirtualMachine/web")?.conditions[0]).toMatchObject({ type: "Ready", status: "False", reason: "Drifted" });
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    await h.restart({ mode: "plan" });
    status = h.daemon.status.snapshot();
    expect(status.plan?.steps).toEqual([{ address: "VirtualMachine/web", action: "update", reason: expect.any(String) }]);
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    await h.restart({ mode: "apply" });
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create", "update"]);
    expect(obj.spec.memory).toBe(1024);
    await h.pass();
    expect(h.daemon.status.snapshot().drift).toEqual([]);
  });

  it("leaves suspended resources alone", async () => {
    h = await startHarness();
    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 8 }\n  suspend: true\n") });
    await h.pass();
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    expect(h.daemon.status.snapshot().resources[0]?.conditions[0]).toMatchObject({ status: "Unknown", reason: "Suspended" });
  });

  it("does not apply while another process holds the state lock, and applies on the next pass", async () => {
    h = await startHarness();
    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 2 }\n") });
    const lock = await h.store.lock({ host: "elsewhere", pid: process.pid, user: "alice", command: "vmsync apply" });
    await h.pass();
    expect(h.daemon.status.snapshot().lastReconcile).toMatchObject({ heldBack: "state-locked", lockedBy: expect.stringContaining("alice") });
    expect(h.fake.calls).toHaveLength(1);
    await lock.release();
    await h.pass();
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create", "update"]);
  });
});
