import { afterEach, describe, expect, it } from "vitest";
import { parseChangeWindow } from "../../../src/daemon/change-window.js";
import { vm } from "../../helpers/manifests.js";
import { startHarness, type Harness } from "./harness.js";
import { ManualClock } from "./manual-clock.js";

describe("change windows (fake provider, manual clock)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("plans but does not apply outside the window, and applies when it opens", async () => {
    const clock = new ManualClock(Date.parse("2026-01-05T12:00:00Z")); // Monday noon
    h = await startHarness({ windows: [parseChangeWindow("0 22 * * 1-5 4h")] }, undefined, clock);
    expect(h.fake.calls).toEqual([]);
    const status = h.daemon.status.snapshot();
    expect(status.lastReconcile?.heldBack).toBe("change-window");
    expect(status.plan?.summary.create).toBe(1);
    expect(status.resources[0]?.conditions[0]).toMatchObject({ status: "False", reason: "OutsideChangeWindow" });
    expect(status.ready).toBe(true);

    await h.write({ "vms.yaml": vm("web", "  cpu: { cores: 2 }\n") });
    await h.pass("changed");
    expect(h.fake.calls).toEqual([]);

    await clock.advanceTo("2026-01-05T22:00:00Z");
    await h.daemon.idle();
    expect(h.fake.calls.map((c) => c.op)).toEqual(["create"]);
    expect([...h.fake.world.values()][0]!.spec.cores).toBe(2);
  });
});
