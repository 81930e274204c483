import { afterEach, describe, expect, it } from "vitest";
import { dueSlot } from "../../../src/daemon/schedule-slots.js";
import { proxmoxProvider, vm } from "../../helpers/manifests.js";
import { startHarness, type Harness } from "./harness.js";
import { ManualClock } from "./manual-clock.js";

const schedule = (cron: string, keepLast = 2) => `apiVersion: vmsync.io/v1
kind: SnapshotSchedule
metadata:
  name: nightly
spec:
  targets: [{ kind: VirtualMachine, name: web }]
  schedule: "${cron}"
  retention: { keepLast: ${keepLast} }
`;

const FILES = { "providers.yaml": proxmoxProvider, "vms.yaml": vm("web"), "schedules.yaml": schedule("0 3 * * *") };

describe("snapshot schedules (fake provider, manual clock)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  const snaps = () => [...h.fake.snaps.values()].flat().map((s) => s.name);
  const runs = async () => (await h.store.history()).filter((e) => e.command === "snapshot run nightly");

  it("takes snapshots on the cron slot (UTC), prunes beyond retention, records each run", async () => {
    const clock = new ManualClock(Date.parse("2026-01-05T00:00:00Z"));
    h = await startHarness({}, FILES, clock);
    expect(snaps()).toEqual([]); // never ran before: no catch-up at the first start
    await clock.advanceTo("2026-01-05T02:59:00Z");
    await h.daemon.schedules.idle();
    expect(snaps()).toEqual([]);
    await clock.advanceTo("2026-01-05T03:00:01Z");
    await h.daemon.schedules.idle();
    expect(snaps()).toEqual(["vmsync-nightly-202601050300"]);
    for (const day of ["06", "07"]) {
      await clock.advanceTo(`2026-01-${day}T03:00:01Z`);
      await h.daemon.schedules.idle();
    }
    expect(snaps()).toEqual(["vmsync-nightly-202601060300", "vmsync-nightly-202601070300"]);
    const history = await runs();
    expect(history).toHaveLength(3);
    expect(history[0]).toMatchObject({ result: "succeeded", summary: { create: 1, delete: 1 }, startedAt: "2026-01-07T03:00:00.005Z" });
    expect(h.daemon.statusDocument().schedules).toEqual([expect.objectContaining({ name: "nightly", cron: "0 3 * * *", lastResult: "succeeded", nextRun: "2026-01-08T03:00:00.000Z" })]);
  });

  it("after downtime runs once for the latest missed slot, not once per missed slot", async () => {
    const clock = new ManualClock(Date.parse("2026-01-05T00:00:00Z"));
    h = await startHarness({}, { ...FILES, "schedules.yaml": schedule("0 * * * *", 100) }, clock);
    await clock.advanceTo("2026-01-05T01:00:01Z");
    await h.daemon.schedules.idle();
    expect(await runs()).toHaveLength(1);
    // the daemon is down for 10 hours
    await h.daemon.stop();
    await clock.advanceTo("2026-01-05T11:30:00Z");
    await h.restart({});
    await h.daemon.schedules.idle();
    expect(snaps()).toEqual(["vmsync-nightly-202601050100", "vmsync-nightly-202601051130"]);
    expect(await runs()).toHaveLength(2);
    await clock.advanceTo("2026-01-05T12:00:01Z");
    await h.daemon.schedules.idle();
    expect(await runs()).toHaveLength(3);
  });

  it("reports a failed run (history, status, webhook) and goes on", async () => {
    const clock = new ManualClock(Date.parse("2026-01-05T02:00:00Z"));
    h = await startHarness({}, FILES, clock);
    h.fake.snapshotHook = (op) => {
      if (op === "create") throw new Error("snapshot failed: storage full");
    };
    await clock.advanceTo("2026-01-05T03:00:01Z");
    await h.daemon.schedules.idle();
    expect((await runs())[0]).toMatchObject({ result: "failed" });
    expect(h.daemon.statusDocument().schedules[0]).toMatchObject({ name: "nightly", lastResult: "failed", lastError: expect.stringContaining("storage full") });
    expect(h.webhooks).toContainEqual(expect.objectContaining({ type: "schedule.failed", schedule: "nightly", failures: [{ target: "VirtualMachine/web", error: expect.stringContaining("storage full") }] }));
  });

  it("picks the latest slot only (pure)", () => {
    const t = (s: string) => Date.parse(s);
    expect(dueSlot("0 3 * * *", t("2026-01-01T03:00:00Z"), t("2026-01-09T12:00:00Z"))).toBe(t("2026-01-09T03:00:00Z"));
    expect(dueSlot("0 3 * * *", t("2026-01-09T03:00:00Z"), t("2026-01-09T12:00:00Z"))).toBeUndefined();
    expect(dueSlot("0 3 * * *", t("2026-01-09T02:00:00Z"), t("2026-01-09T03:00:00Z"))).toBe(t("2026-01-09T03:00:00Z"));
  });
});
