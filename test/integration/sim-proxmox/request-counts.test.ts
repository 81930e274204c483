import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./helpers.js";

describe("proxmox simulator request counts", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it("counts API requests by route template, not admin paths", async () => {
    await h.api.get("/nodes");
    await h.api.get("/nodes/pve1/qemu");
    await h.api.get("/nodes/pve2/qemu");
    await h.api.get("/nodes/pve1/qemu/999/config");
    const stats = await h.api.get(`${h.sim.endpoint}/_sim/stats`);
    expect(h.sim.requests()).toEqual({ "GET /nodes": 1, "GET /nodes/{node}/qemu": 2, "GET /nodes/{node}/qemu/{vmid}/config": 1 });
    expect(stats.data.requests).toEqual(h.sim.requests());
  });
});
