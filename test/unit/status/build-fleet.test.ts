import { readFile, writeFile } from "node:fs/promises";
import pc from "picocolors";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { DesiredResource } from "../../../src/manifest/model.js";
import { extraSchemaFiles } from "../../../src/schemas.js";
import { buildFleet, type FleetInput } from "../../../src/status/build-fleet.js";
import type { SyncState } from "../../../src/status/fleet-schema.js";
import { renderFleetText } from "../../../src/status/render-text.js";
import type { HistoryEntry } from "../../../src/state/contract.js";
import { Scenario } from "../../helpers/scenario.js";

const NOW = new Date("2026-03-01T12:00:00Z");

function entry(over: Partial<HistoryEntry> & Pick<HistoryEntry, "steps">): HistoryEntry {
  return { id: "h", command: "apply", user: "alice", host: "ci", startedAt: "2026-03-01T11:00:00Z", finishedAt: "2026-03-01T11:01:00Z", result: "succeeded", summary: { create: 0, update: 0, replace: 0, delete: 0 }, ...over };
}

const schedule: DesiredResource = {
  address: "SnapshotSchedule/nightly", kind: "SnapshotSchedule", name: "nightly", labels: {},
  spec: { schedule: "0 3 * * *", targets: [{ kind: "VirtualMachine", name: "ok" }], retention: { keepLast: 3 }, resolvedTargets: ["VirtualMachine/ok"] } as never,
  lifecycle: { protect: false, ignoreChanges: [], updatePolicy: "in-place-only", suspend: false }, dependsOn: ["VirtualMachine/ok"], source: { file: "s.yaml", line: 1, column: 1 },
};

/** One VM per sync state (plus a schedule), planned by the real planner over the fake provider. */
function fleetInput(): FleetInput {
  const s = new Scenario();
  s.inSync("ok");
  s.vm("drift", { memory: "1GiB" });
  const drifting = s.exists("drift", { owned: true, id: "pve1/102" });
  s.managed(drifting);
  drifting.spec.memory = 2048; // changed through the provider's API after the apply
  s.vm("grow", { memory: "4GiB" }).managed(s.exists("grow", { owned: true, id: "pve1/103" }));
  s.vm("fresh");
  s.vm("gone").state.resources["VirtualMachine/gone"] = { address: "VirtualMachine/gone", kind: "VirtualMachine", provider: "pve", externalId: "pve1/104", appliedSpec: s.spec(), protect: false, appliedAt: "2026-02-01T00:00:00Z", origin: "created" };
  s.vm("broke", { memory: "8GiB" }).managed(s.exists("broke", { owned: true, id: "pve1/105" }));
  s.vm("move", { node: "pve2" }).managed(s.exists("move", { owned: true, id: "pve1/106" }));
  s.managed(s.exists("old", { owned: true, id: "pve1/107" }));
  s.desired.push(schedule);
  s.state.resources["SnapshotSchedule/nightly"] = { address: "SnapshotSchedule/nightly", kind: "SnapshotSchedule", provider: "", externalId: "vmsync:SnapshotSchedule/nightly", appliedSpec: { schedule: "0 3 * * *", retention: { keepLast: 3 }, targets: ["VirtualMachine/ok"] }, protect: false, appliedAt: "2026-02-01T00:00:00Z", origin: "created" };
  const plan = s.plan();
  const observed = s.provider.observed().map((o) => (o.name === "ok" ? { ...o, status: { placement: "pve1", power: "running" as const, addresses: ["10.0.0.5", "fd00::5"] } } : o));
  const history = [
    entry({ id: "3", command: "snapshot run nightly", startedAt: "2026-03-01T03:00:00Z", result: "partial", steps: [{ address: "VirtualMachine/ok", action: "create", result: "failed", error: "snapshot failed" }] }),
    entry({ id: "2", result: "failed", steps: [{ address: "VirtualMachine/broke", action: "update", result: "failed", error: "memory: 8GiB does not fit on pve1" }, { address: "VirtualMachine/ok", action: "update", result: "succeeded" }] }),
    entry({ id: "1", user: "bob", host: "laptop", steps: [{ address: "VirtualMachine/drift", action: "create", result: "succeeded" }] }),
  ];
  return {
    stack: "test", now: NOW, desired: s.desiredState(), state: s.state, plan, observed: new Map([["pve", observed]]), history,
    providers: [{ name: "pve", type: "proxmox", reachable: true }],
  };
}

describe("the fleet report", () => {
  const report = buildFleet(fleetInput());
  const row = (name: string) => report.resources.find((r) => r.address.endsWith(`/${name}`))!;

  it.each<[name: string, state: SyncState, fields: string[], reason: string]>([
    ["ok", "in-sync", [], "observed as applied and as desired"],
    ["drift", "drifted", ["memory"], "memory changed at the provider since the apply"],
    ["grow", "pending", ["memory"], "the manifest asks for more memory; not applied yet"],
    ["fresh", "not-created", [], "in the manifests only"],
    ["gone", "deleted-outside", [], "in state, gone at the provider"],
    ["broke", "failed", ["memory"], "its last apply step failed and the change is still pending"],
    ["move", "blocked", ["node"], "a node change needs a replacement the resource does not allow"],
    ["old", "not-in-manifests", [], "in state, no manifest: the next apply deletes it"],
    ["nightly", "in-sync", [], "vmsync's own schedule as recorded"],
  ])("%s is %s (%s)", (name, state, fields) => {
    expect(row(name).sync).toMatchObject({ state, fields });
  });

  it("carries the observed status, the failure text and who applied last (apply entries only, not snapshot runs)", () => {
    expect(row("ok")).toMatchObject({ provider: "pve", placement: "pve1", power: "running", addresses: ["10.0.0.5", "fd00::5"], externalId: expect.any(String), lastApplied: { at: "2026-01-01T00:00:00Z", by: "alice@ci", command: "apply" } });
    expect(row("broke").sync.detail).toBe("memory: 8GiB does not fit on pve1");
    expect(row("drift").lastApplied).toMatchObject({ by: "bob@laptop" });
    expect(row("fresh").lastApplied).toBeUndefined();
    expect(report.summary).toMatchObject({ total: 9, "in-sync": 2, failed: 1, drifted: 1 });
  });

  it("gives a schedule its last run (history) and next slot (cron, UTC)", () => {
    expect(row("nightly").schedule).toEqual({ cron: "0 3 * * *", native: false, targets: ["VirtualMachine/ok"], lastRun: "2026-03-01T03:00:00Z", lastResult: "partial", nextRun: "2026-03-02T03:00:00.000Z" });
  });

  it("shows every resource of a provider that could not be observed as unknown, with the reason", () => {
    const input = fleetInput();
    const r = buildFleet({ ...input, plan: { ...input.plan, steps: input.plan.steps.filter((s) => s.provider !== "pve"), drift: [] }, observed: new Map(), providers: [{ name: "pve", reachable: false, error: "connect ECONNREFUSED" }] });
    expect(r.resources.filter((x) => x.provider === "pve").every((x) => x.sync.state === "unknown" && x.sync.detail === "connect ECONNREFUSED")).toBe(true);
  });

  it("validates against schemas/status.schema.json and renders as the golden table", async () => {
    const validate = new Ajv2020({ strict: false }).compile(extraSchemaFiles()["status.schema.json"]!);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
    const withSection = { ...report, sections: [{ type: "capacity", title: "Capacity", columns: ["PROVIDER", "USED"], rows: [["pve", "40%"]], notes: ["example section"] }] };
    const text = renderFleetText(withSection, pc.createColors(false));
    const path = "test/golden/status-mixed.txt";
    if (process.env.UPDATE_GOLDEN) await writeFile(path, text);
    expect(text, `${path} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(await readFile(path, "utf8").catch(() => ""));
    expect(text).not.toMatch(/\u001b\[/);
  });
});
