import { describe, expect, it } from "vitest";
import { Scenario } from "../../helpers/scenario.js";

/** Planner rules, one row each, with the reason the rule exists. */
describe("planner rules", () => {
  it("creates what is desired and absent", () => {
    const p = new Scenario().vm("web").plan();
    expect(p.steps).toMatchObject([{ address: "VirtualMachine/web", action: "create", reasonCode: "new", fingerprint: "absent" }]);
    expect(p.summary).toEqual({ create: 1, update: 0, replace: 0, delete: 0 });
  });

  it("shows nothing when desired equals observed (no perpetual diff)", () => {
    const p = new Scenario().inSync("web", { tags: ["a", "b"] }).plan();
    expect(p.steps).toMatchObject([{ action: "noop", reasonCode: "in-sync", changes: [] }]);
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("updates in place and says when a change needs a restart", () => {
    const s = new Scenario().vm("web", { memory: "2GiB", cores: 2 });
    s.managed(s.exists("web", { owned: true }));
    const [step] = s.plan().steps;
    expect(step).toMatchObject({ action: "update", reasonCode: "changed", restartRequired: true });
    expect(step!.changes).toEqual([
      { path: "cores", before: 1, after: 2, effect: "in-place" },
      { path: "memory", before: 1024, after: 2048, effect: "restart" },
    ]);
  });

  it("deletes only what the state inventory says vmsync created", () => {
    const s = new Scenario();
    s.managed(s.exists("old", { owned: true }));
    s.exists("stranger"); // not in state, not desired: never touched
    s.inSync("keep");
    const p = s.plan();
    expect(p.steps.map((x) => [x.address, x.action])).toEqual([["VirtualMachine/keep", "noop"], ["VirtualMachine/old", "delete"]]);
    expect(p.steps.find((x) => x.action === "delete")).toMatchObject({ reasonCode: "not-in-manifests" });
  });

  it("treats a same-named object vmsync does not own as a conflict and suggests import", () => {
    const s = new Scenario().vm("web");
    const obj = s.exists("web");
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ blocked: true, reasonCode: "blocked-unowned" });
    expect(p.steps[0]!.reason).toContain(`vmsync import VirtualMachine/web ${obj.id}`);
    expect(p.errors).toHaveLength(1);
    expect(p.summary.create).toBe(0);
  });

  it("treats an object of another stack as a conflict too, naming that stack", () => {
    const s = new Scenario().vm("web");
    s.exists("web", { owned: "other-stack" });
    expect(s.plan().steps[0]!.reason).toContain('belongs to vmsync stack "other-stack"');
  });

  it("adopts an object created by an interrupted run (marker, but no state record)", () => {
    const s = new Scenario().vm("web");
    const obj = s.exists("web", { owned: true });
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "noop", adopt: true, reasonCode: "adopt-interrupted-create", externalId: obj.id });
    expect(p.summary.create).toBe(0);
  });

  it("blocks delete of a protected resource after its manifest is gone (protect lives in state)", () => {
    const s = new Scenario();
    s.managed(s.exists("db", { owned: true }), { protect: true });
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "noop", reasonCode: "blocked-protected" });
    expect(p.summary.delete).toBe(0);
    expect(p.notes.join()).toContain("vmsync state rm VirtualMachine/db");
  });

  it("blocks replacement of a protected resource", () => {
    const s = new Scenario().vm("db", { node: "pve2", lifecycle: { protect: true, updatePolicy: "replace-allowed" } });
    s.managed(s.exists("db", { owned: true }));
    expect(s.plan().steps[0]).toMatchObject({ action: "replace", blocked: true, reasonCode: "blocked-protected", forcedBy: ["node"] });
  });

  it("blocks a change to an immutable field without replace-allowed, naming the field", () => {
    const s = new Scenario().vm("web", { node: "pve2" });
    s.managed(s.exists("web", { owned: true }));
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "replace", blocked: true, reasonCode: "blocked-immutable", forcedBy: ["node"] });
    expect(p.errors[0]).toMatch(/node cannot be changed in place; set updatePolicy: replace-allowed/);
    expect(p.summary.replace).toBe(0);
  });

  it("replaces on an immutable change with updatePolicy: replace-allowed", () => {
    const s = new Scenario().vm("web", { node: "pve2", lifecycle: { updatePolicy: "replace-allowed" } });
    s.managed(s.exists("web", { owned: true }));
    expect(s.plan().steps[0]).toMatchObject({ action: "replace", reasonCode: "replace-immutable", forcedBy: ["node"] });
  });

  it("blocks a change the provider can never make (disk shrink)", () => {
    const s = new Scenario().vm("web", { disks: ["4GiB"] });
    s.managed(s.exists("web", { owned: true }));
    expect(s.plan().steps[0]).toMatchObject({ blocked: true, reasonCode: "blocked-unsupported", forcedBy: ["disks[0].size"] });
  });

  it("never shows ignoreChanges paths as changes", () => {
    const s = new Scenario().vm("web", { tags: ["x"], lifecycle: { ignoreChanges: ["spec.tags"] } });
    s.managed(s.exists("web", { owned: true, tags: ["y"] }));
    expect(s.plan().steps[0]).toMatchObject({ action: "noop", changes: [] });
  });

  it("reports drift: what changed outside vmsync since the last apply", () => {
    const s = new Scenario().vm("web");
    const obj = s.exists("web", { owned: true });
    s.managed(obj);
    obj.spec.cores = 8; // someone clicked in the web UI
    const p = s.plan();
    expect(p.drift).toEqual([{ address: "VirtualMachine/web", type: "changed", changes: [{ path: "cores", applied: 1, observed: 8 }] }]);
    expect(p.steps[0]).toMatchObject({ action: "update", changes: [{ path: "cores", before: 8, after: 1 }] });
  });

  it("recreates what was deleted outside vmsync, and says so", () => {
    const s = new Scenario().vm("web");
    s.managed(s.exists("web", { owned: true }));
    s.provider.world.clear();
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "create", reasonCode: "gone-outside" });
    expect(p.drift).toEqual([{ address: "VirtualMachine/web", type: "deleted", changes: [] }]);
  });

  it("refuses to delete everything (empty manifest folder) unless allowed", () => {
    const s = new Scenario();
    s.managed(s.exists("a", { owned: true }));
    expect(s.plan().errors.join()).toMatch(/refusing to delete every managed resource \(1\).*--allow-mass-delete/);
    expect(s.plan({ allowMassDelete: true }).errors).toEqual([]);
  });

  it("refuses to delete more than half of the managed resources", () => {
    const s = new Scenario().inSync("keep");
    for (const n of ["a", "b", "c"]) s.managed(s.exists(n, { owned: true }));
    expect(s.plan().errors.join()).toMatch(/3 of 4 managed resources/);
  });

  it("orders deletes after the deletes of what depended on them", () => {
    const s = new Scenario();
    s.managed(s.exists("base", { owned: true }));
    s.managed(s.exists("app", { owned: true }), { dependsOn: ["VirtualMachine/base"] });
    const p = s.plan({ allowMassDelete: true });
    expect(p.steps.find((x) => x.address === "VirtualMachine/base")!.dependsOn).toEqual(["VirtualMachine/app"]);
  });

  it("--target keeps the targeted steps and pulls in their dependencies", () => {
    const s = new Scenario().vm("base").vm("app", { dependsOn: ["VirtualMachine/base"] }).vm("other");
    const p = s.plan({ targets: ["VirtualMachine/app"] });
    expect(p.steps.map((x) => x.address)).toEqual(["VirtualMachine/app", "VirtualMachine/base"]);
    expect(p.notes.join()).toContain("VirtualMachine/base is included because a targeted resource depends on it");
  });

  it("--exclude drops the excluded steps and what depends on them", () => {
    const s = new Scenario().vm("base").vm("app", { dependsOn: ["VirtualMachine/base"] }).vm("other");
    const p = s.plan({ excludes: ["VirtualMachine/b*"] });
    expect(p.steps.map((x) => x.address)).toEqual(["VirtualMachine/other"]);
  });

  it("a pattern without Kind/ matches names of any kind (people write --target app-1)", () => {
    const s = new Scenario().vm("app-1").vm("app-2").vm("other");
    expect(s.plan({ targets: ["app-1"] }).steps.map((x) => x.address)).toEqual(["VirtualMachine/app-1"]);
    expect(s.plan({ targets: ["app-*"] }).steps.map((x) => x.address)).toEqual(["VirtualMachine/app-1", "VirtualMachine/app-2"]);
    expect(s.plan({ excludes: ["app-*"] }).steps.map((x) => x.address)).toEqual(["VirtualMachine/other"]);
    expect(s.plan({ targets: ["app-1"] }).errors).toEqual([]);
  });

  it("a --target or --exclude that matches nothing is an error naming it (never a silent empty plan)", () => {
    const s = new Scenario().vm("web");
    const p = s.plan({ targets: ["app-1", "VirtualMachine/web"], excludes: ["NfsShare/*"] });
    expect(p.errors).toEqual([
      '--target "app-1" matches no resource (in the manifests or in state); addresses are Kind/name, e.g. VirtualMachine/web, and a pattern without "/" matches names of any kind',
      '--exclude "NfsShare/*" matches no resource (in the manifests or in state); addresses are Kind/name, e.g. VirtualMachine/web, and a pattern without "/" matches names of any kind',
    ]);
  });

  it("what a failed step changed or was changing is reported as unfinished, not drift; other differences stay drift", () => {
    const s = new Scenario().vm("web", { cores: 2 });
    const obj = s.exists("web", { owned: true, cores: 1 });
    s.managed(obj, { failedStep: { runId: "r1", action: "update", at: "2026-01-02T00:00:00Z", error: "boom", changing: ["cores"], effects: [{ path: "power", value: "stopped", note: "vmsync stopped it" }] } });
    obj.spec = { ...obj.spec, power: "stopped", tags: ["by-hand"] };
    s.state.resources["VirtualMachine/web"]!.appliedSpec = { ...(obj.spec as object), power: "running", tags: [], cores: 1 };
    const p = s.plan();
    expect(p.unfinished).toEqual([{ address: "VirtualMachine/web", failed: { action: "update", at: "2026-01-02T00:00:00Z", runId: "r1", error: "boom" }, changes: [{ path: "power", applied: "running", observed: "stopped", note: "vmsync stopped it" }] }]);
    expect(p.drift).toEqual([{ address: "VirtualMachine/web", type: "changed", changes: [{ path: "tags", applied: [], observed: ["by-hand"] }] }]);
  });

  it("a record whose failed step left nothing behind is rewritten (record-only), so the failure is not reported forever", () => {
    const s = new Scenario().vm("web");
    s.managed(s.exists("web", { owned: true }), { failedStep: { runId: "r1", action: "update", at: "2026-01-02T00:00:00Z", error: "boom", changing: ["cores"] } });
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "noop", recordOnly: true, reasonCode: "record-state" });
    expect(p.unfinished).toEqual([{ address: "VirtualMachine/web", failed: expect.objectContaining({ error: "boom" }), changes: [] }]);
  });

  it("destroy plans deleting everything the stack manages, in reverse dependency order, keeping (and naming) protected ones", () => {
    const s = new Scenario().inSync("base").inSync("app", { dependsOn: ["VirtualMachine/base"] }).inSync("db").inSync("vault", { lifecycle: { protect: true } });
    s.state.resources["VirtualMachine/app"]!.dependsOn = ["VirtualMachine/base"];
    s.state.resources["VirtualMachine/db"]!.protect = true;
    s.exists("stranger"); // not in state: never touched
    const p = s.plan({ destroy: true });
    expect(p.errors).toEqual([]); // no mass-delete guard: destroying everything is what was asked for
    expect(p.steps.map((x) => [x.address, x.action, x.reasonCode])).toEqual([
      ["VirtualMachine/app", "delete", "destroy"],
      ["VirtualMachine/base", "delete", "destroy"],
      ["VirtualMachine/db", "noop", "blocked-protected"],
      ["VirtualMachine/vault", "noop", "blocked-protected"],
    ]);
    expect(p.steps.find((x) => x.address === "VirtualMachine/base")!.dependsOn).toEqual(["VirtualMachine/app"]);
    expect(p.notes).toEqual([expect.stringMatching(/^VirtualMachine\/db is protected .*destroy keeps it/), expect.stringMatching(/^VirtualMachine\/vault is protected/)]);
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 2 });
    expect(p.options.destroy).toBe(true);
    expect(s.plan({ destroy: true, targets: ["base"] }).steps.map((x) => x.address)).toEqual(["VirtualMachine/app", "VirtualMachine/base"]);
  });

  it("suspended resources get no changes", () => {
    const s = new Scenario().vm("web", { cores: 4, lifecycle: { suspend: true } });
    s.managed(s.exists("web", { owned: true }));
    expect(s.plan().steps[0]).toMatchObject({ action: "noop", reasonCode: "suspended" });
  });

  it("refresh-only plans change nothing but still report drift", () => {
    const s = new Scenario().vm("web", { cores: 2 });
    const obj = s.exists("web", { owned: true });
    s.managed(obj);
    obj.spec.cores = 3;
    const p = s.plan({ refreshOnly: true });
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(p.drift).toHaveLength(1);
  });

  it("fingerprints what each step relies on", () => {
    const s = new Scenario().vm("web", { cores: 2 });
    const obj = s.exists("web", { owned: true });
    s.managed(obj);
    const before = s.plan().steps[0]!.fingerprint;
    obj.spec.memory = 4096;
    expect(s.plan().steps[0]!.fingerprint).not.toBe(before);
  });

  it("records protect: true added to an up-to-date resource (so deleting the manifest later cannot delete it)", () => {
    const s = new Scenario().vm("db", { lifecycle: { protect: true } });
    s.managed(s.exists("db", { owned: true }));
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "noop", recordOnly: true, reasonCode: "record-state", protect: true });
    expect(p.steps[0]!.reason).toContain("protect: true will be recorded in state");
  });

  it("will not update or delete an object at a recorded id that now belongs to another stack or address", () => {
    const s = new Scenario().vm("web", { cores: 4 });
    const obj = s.exists("web", { owned: "prod" });
    s.managed(obj);
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ blocked: true, reasonCode: "blocked-unowned" });
    expect(p.steps[0]!.reason).toContain('belongs to vmsync stack "prod"');
    const gone = new Scenario();
    gone.managed(gone.exists("web", { owned: "prod" }));
    expect(gone.plan({ allowMassDelete: true }).steps[0]).toMatchObject({ action: "delete", blocked: true, reasonCode: "blocked-unowned" });
  });

  it("will not touch an unmarked object at a recorded id whose name changed (a reused id)", () => {
    const s = new Scenario();
    const other = s.exists("someone-elses-vm");
    s.managed(other);
    s.state.resources["VirtualMachine/someone-elses-vm"]!.address = "VirtualMachine/web";
    s.state.resources["VirtualMachine/web"] = { ...s.state.resources["VirtualMachine/someone-elses-vm"]!, appliedSpec: { ...(other.spec as object), name: "web" } };
    delete s.state.resources["VirtualMachine/someone-elses-vm"];
    const step = s.plan({ allowMassDelete: true }).steps[0]!;
    expect(step).toMatchObject({ action: "delete", blocked: true, reasonCode: "blocked-unowned" });
    expect(step.reason).toContain('is now "someone-elses-vm", not "web"');
  });

  it("deletes an object of an interrupted create whose manifest is gone (no orphan)", () => {
    const s = new Scenario();
    const obj = s.exists("web", { owned: true });
    s.state.pending["VirtualMachine/web"] = { address: "VirtualMachine/web", kind: "VirtualMachine", provider: "pve", marker: "test/VirtualMachine/web", startedAt: "2026-01-01T00:00:00Z", runId: "r" };
    const p = s.plan({ allowMassDelete: true });
    expect(p.steps).toMatchObject([{ address: "VirtualMachine/web", action: "delete", externalId: obj.id, reason: "created by an interrupted run and no longer in the manifests" }]);
  });

  it("follows an object that moved to a new id but carries its marker (e.g. an HA migration), recording the new id", () => {
    const s = new Scenario().vm("web");
    const obj = s.exists("web", { owned: true, id: "pve2/101" });
    s.managed(obj);
    s.state.resources["VirtualMachine/web"]!.externalId = "pve1/101";
    const p = s.plan();
    expect(p.steps[0]).toMatchObject({ action: "noop", recordOnly: true, externalId: "pve2/101" });
    expect(p.steps[0]!.reason).toContain("moved outside vmsync from pve1/101");
    expect(p.drift).toEqual([]);
  });
});
