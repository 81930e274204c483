import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.js";

/** The daemon's fleet report (status page, /status `fleet`) follows what is observed, also right after an apply. */
describe("the daemon's fleet report (fake provider)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("after the apply that created a VM, shows it observed and in sync (observed again after the apply), with who applied it", async () => {
    h = await startHarness();
    const fleet = h.daemon.statusDocument().fleet!;
    expect(fleet.resources.map((r) => [r.address, r.sync.state])).toEqual([["VirtualMachine/web", "in-sync"]]);
    expect(fleet.resources[0]).toMatchObject({ provider: "pve", externalId: expect.any(String), lastApplied: { by: "tester@test", command: "watch --mode apply" } });
  });

  it("reports drift with its fields in observe mode, and notifies subscribers on every pass", async () => {
    h = await startHarness();
    await h.restart({ mode: "observe" });
    let changes = 0;
    const unsubscribe = h.daemon.live.subscribe(() => changes++);
    [...h.fake.world.values()][0]!.spec.memory = 4096;
    await h.pass("resync");
    unsubscribe();
    expect(changes).toBe(1);
    expect(h.daemon.live.fleet!.resources[0]!.sync).toMatchObject({ state: "drifted", fields: ["memory"] });
    const page = await h.daemon.live.data();
    expect(page.plan?.drift.map((d) => d.address)).toEqual(["VirtualMachine/web"]);
  });
});
