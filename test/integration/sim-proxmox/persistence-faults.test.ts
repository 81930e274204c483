import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: persistence", () => {
  let h: Harness | undefined;
  afterAll(async () => h?.stop());

  it("keeps the world, credentials and task archive across restarts in a 0600 file", async () => {
    const first = await startHarness();
    const upid = (await first.api.post("/nodes/pve1/qemu", form({ vmid: 100, name: "keep", scsi0: "local-lvm:4", net0: "virtio,bridge=vmbr0" }))).data.data as string;
    await runTask({ status: 200, data: { data: upid } } as never, first.api);
    await first.api.post("/storage", form({ storage: "nas", type: "nfs", server: "10.0.0.9", export: "/srv" }));
    const before = (await first.api.get("/nodes/pve1/qemu/100/config")).data.data;
    const creds = first.sim.credentials;
    await first.stop(true);
    const file = await stat(join(first.dir, "proxmox-world.json"));
    expect(file.mode & 0o777).toBe(0o600);
    h = await startHarness({}, first.dir);
    expect(h.sim.credentials).toEqual(creds);
    const after = (await h.api.get("/nodes/pve1/qemu/100/config")).data.data;
    expect(after).toEqual(before);
    expect((await h.api.get("/storage/nas")).status).toBe(200);
    expect((await h.api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).data.data.exitstatus).toBe("OK");
    expect(await createVm(h.api, 101, { net0: "virtio,bridge=vmbr0" })).toBe("OK");
    const c101 = (await h.api.get("/nodes/pve1/qemu/101/config")).data.data;
    expect(c101.net0).not.toBe(before.net0);
  });

  it("finishes running tasks on close so the saved world is consistent", async () => {
    const x = await startHarness({ knobs: { taskDurationMs: 60_000 } });
    const r = await x.api.post("/nodes/pve1/qemu", form({ vmid: 100, name: "slow" }));
    expect(r.status).toBe(200);
    await x.stop(true);
    const y = await startHarness({}, x.dir);
    const c = (await y.api.get("/nodes/pve1/qemu/100/config")).data.data;
    expect(c.name).toBe("slow");
    expect(c.lock).toBeUndefined();
    await y.stop();
  });

  // how fast is the benchmarks' business (bench/, npm run bench): here only that 1,000 VMs are
  // listed in full and their 2,000+ changes coalesced into few writes of the world file
  it("holds 1000 VMs: lists them all and coalesces their writes", async () => {
    const x = await startHarness({ knobs: { taskDurationMs: 0 } });
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => x.api.post("/nodes/pve1/qemu", form({ vmid: 1000 + i + j, name: `vm-${i + j}`, scsi0: "local-lvm:1", net0: "virtio,bridge=vmbr0", tags: "bench" }))));
    }
    const list = (await x.api.get("/cluster/resources", { params: { type: "vm" } })).data.data;
    const live = (await x.api.get("/nodes/pve1/qemu")).data.data;
    expect(list.length).toBe(1000);
    expect(live.length).toBe(1000);
    const stats = (await x.api.get(`${x.sim.endpoint}/_sim/stats`)).data;
    expect(stats.vms).toBe(1000);
    expect(stats.worldWrites).toBeGreaterThan(0);
    expect(stats.worldWrites).toBeLessThan(200); // 2000+ changes, coalesced
    await x.stop();
  });
});

describe("proxmox sim: knobs and fault injection", () => {
  async function faultSequence(seed: number): Promise<string[]> {
    const x = await startHarness({ knobs: { faultRate: 0.4, seed } });
    const out: string[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await x.api.get("/nodes");
      out.push(`${r.status} ${r.statusText}`);
    }
    await x.stop();
    return out;
  }

  it("injects transient faults reproducibly from the seed", async () => {
    const a = await faultSequence(7);
    const b = await faultSequence(7);
    const c = await faultSequence(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.filter((s) => s.startsWith("200")).length).toBeGreaterThan(5);
    expect(a.some((s) => s === "596 Broken pipe" || s === "599 Too many redirections")).toBe(true);
  });

  it("injects lock timeouts on VM mutations and can be switched at runtime", async () => {
    const x = await startHarness();
    await createVm(x.api, 100);
    x.sim.setKnobs({ faultRate: 0.5, seed: 3 });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = await x.api.post("/nodes/pve1/qemu/100/status/stop");
      if (r.status === 200) seen.add(`task ${await runTask(r, x.api)}`);
      else seen.add(`${r.status} ${r.statusText}`);
    }
    expect(seen).toContain("500 can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    expect(seen).toContain("task can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    x.sim.setKnobs({ faultRate: 0 });
    expect(await runTask(x.api.post("/nodes/pve1/qemu/100/status/start"), x.api)).toBe("OK");
    const knobs = await x.api.request({ url: `${x.sim.endpoint}/_sim/knobs`, method: "POST", data: { latencyMs: 40 } });
    expect(knobs.data.latencyMs).toBe(40);
    const t0 = Date.now();
    await x.api.get("/version");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    await x.stop();
  });
});
