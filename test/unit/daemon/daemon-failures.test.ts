import { afterEach, describe, expect, it } from "vitest";
import { ResourceHealth } from "../../../src/daemon/health.js";
import { permanent, transient } from "../../helpers/fake-provider.js";
import { proxmoxProvider, vm } from "../../helpers/manifests.js";
import { startHarness, type Harness } from "./harness.js";

const THREE = { "providers.yaml": proxmoxProvider, "vms.yaml": [vm("web"), vm("db"), vm("ok")].join("---\n") };

describe("failure handling (fake provider)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("stalls a resource on a permanent failure until its manifest changes, backs off on a transient one, and keeps the rest reconciling", async () => {
    let dbFails = true;
    const fakeHook = (op: string, address: string) => {
      if (address === "VirtualMachine/web") throw permanent("create web: HTTP 400 bad parameter vmid");
      if (address === "VirtualMachine/db" && dbFails) throw transient("create db: HTTP 503 busy");
    };
    h = await startHarness({}, { "providers.yaml": proxmoxProvider });
    h.fake.hook = fakeHook;
    await h.write(THREE);
    await h.pass("changed");
    expect([...h.fake.world.values()].map((o) => o.name)).toEqual(["ok"]);
    expect(h.daemon.health.all().map((x) => [x.address, x.state])).toEqual([["VirtualMachine/db", "backoff"], ["VirtualMachine/web", "stalled"]]);
    const conditions = Object.fromEntries(h.daemon.status.snapshot().resources.map((r) => [r.address, r.conditions]));
    expect(conditions["VirtualMachine/web"]).toEqual([
      expect.objectContaining({ type: "Ready", status: "False", reason: "Stalled" }),
      expect.objectContaining({ type: "Stalled", status: "True", reason: "PermanentFailure", message: expect.stringContaining("bad parameter") }),
    ]);
    expect(conditions["VirtualMachine/db"]).toEqual([expect.objectContaining({ type: "Ready", status: "False", reason: "Backoff" })]);
    expect(conditions["VirtualMachine/ok"]![0]).toMatchObject({ status: "True", reason: "Applied" });

    // the next passes leave both out: no calls for them
    const before = h.fake.calls.length;
    await h.pass("resync");
    expect(h.fake.calls.length).toBe(before);

    // the backoff (30 s base, jitter at 0.5 → 22.5 s) ends: db is retried on its own timer and succeeds
    dbFails = false;
    await h.clock.advance(23_000);
    await h.daemon.idle();
    expect([...h.fake.world.values()].map((o) => o.name).sort()).toEqual(["db", "ok"]);
    expect(h.daemon.health.get("VirtualMachine/db")).toBeUndefined();
    expect(h.fake.calls.filter((c) => c.address === "VirtualMachine/web")).toHaveLength(1);

    // editing web's manifest lifts the stall: it is tried again
    h.fake.hook = () => {};
    await h.write({ "vms.yaml": [vm("web", "  cpu: { cores: 2 }\n"), vm("db"), vm("ok")].join("---\n") });
    await h.pass("changed");
    expect([...h.fake.world.values()].map((o) => o.name).sort()).toEqual(["db", "ok", "web"]);
    expect(h.daemon.health.all()).toEqual([]);
  });

  it("sets blocked steps aside and applies the rest", async () => {
    h = await startHarness({}, THREE);
    h.fake.put({ kind: "VirtualMachine", name: "stranger", spec: {} });
    await h.write({ "vms.yaml": [vm("web"), vm("db"), vm("ok"), vm("stranger"), vm("new")].join("---\n") });
    await h.pass();
    expect([...h.fake.world.values()].filter((o) => o.marker).map((o) => o.name).sort()).toEqual(["db", "new", "ok", "web"]);
    const stranger = h.daemon.status.snapshot().resources.find((r) => r.address === "VirtualMachine/stranger");
    expect(stranger?.conditions[1]).toMatchObject({ type: "Stalled", reason: "Blocked", message: expect.stringContaining("vmsync import") });
  });
});

describe("ResourceHealth", () => {
  it("doubles the backoff per failure up to the cap, and forgets on success", () => {
    const health = new ResourceHealth({ policy: { attempts: Infinity, baseMs: 1000, maxMs: 4000 }, random: () => 1 });
    const delays = [1, 2, 3, 4].map(() => health.recordFailure("A/x", { retryable: true, error: "busy", specHash: "h", now: 0 }).retryAt);
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    expect(health.excludes(3999)).toEqual(["A/x"]);
    expect(health.excludes(4000)).toEqual([]);
    health.recordSuccess("A/x");
    expect(health.all()).toEqual([]);
  });

  it("lifts a stall only when the manifest hash changes (or the manifest goes away)", () => {
    const health = new ResourceHealth();
    health.recordFailure("A/x", { retryable: false, error: "bad", specHash: "h1", now: 0 });
    expect(health.refresh(new Map([["A/x", "h1"]]))).toEqual([]);
    expect(health.excludes(10 ** 12)).toEqual(["A/x"]);
    expect(health.refresh(new Map([["A/x", "h2"]]))).toEqual(["A/x"]);
    health.recordFailure("A/y", { retryable: false, error: "bad", specHash: "h1", now: 0 });
    expect(health.refresh(new Map())).toEqual(["A/y"]);
  });
});
