import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, waitTask, type Harness } from "./helpers.js";

describe("proxmox sim: tasks and locks", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ lockTimeoutMs: 40, knobs: { taskDurationMs: 150 } });
  });
  afterAll(async () => h.stop());

  it("returns a UPID that runs for taskDurationMs and then stops with OK and a log", async () => {
    const r = await h.api.post("/nodes/pve1/qemu", form({ vmid: 100, scsi0: "local-lvm:4" }));
    expect(r.status).toBe(200);
    const upid = r.data.data as string;
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmcreate:100:root@pam!vmsync:$/);
    const running = await h.api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`);
    expect(running.data.data).toMatchObject({ upid, node: "pve1", type: "qmcreate", id: "100", user: "root@pam", tokenid: "vmsync", status: "running" });
    expect(running.data.data.exitstatus).toBeUndefined();
    const during = await h.api.get("/nodes/pve1/qemu/100/config");
    expect(during.data.data.lock).toBe("create");
    const done = await waitTask(h.api, upid);
    expect(done).toMatchObject({ status: "stopped", exitstatus: "OK" });
    const log = await h.api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`);
    expect(log.data.total).toBe(log.data.data.length);
    expect(log.data.data.at(-1)).toEqual({ n: log.data.data.length, t: "TASK OK" });
    expect(log.data.data[0].n).toBe(1);
    const list = await h.api.get("/nodes/pve1/tasks", { params: { vmid: 100 } });
    expect(list.data.data[0]).toMatchObject({ upid, status: "OK", type: "qmcreate" });
  });

  it("reports task failures in exitstatus and as TASK ERROR in the log", async () => {
    const r = await h.api.post("/nodes/pve1/qemu/100/status/start");
    await waitTask(h.api, r.data.data);
    const again = await h.api.post("/nodes/pve1/qemu/100/status/start");
    const status = await waitTask(h.api, again.data.data);
    expect(status.exitstatus).toBe("VM 100 already running");
    const log = await h.api.get(`/nodes/pve1/tasks/${encodeURIComponent(again.data.data)}/log`);
    expect(log.data.data.at(-1).t).toBe("TASK ERROR: VM 100 already running");
    await runTask(h.api.post("/nodes/pve1/qemu/100/status/stop"), h.api);
  });

  it("answers unknown or malformed UPIDs with 400", async () => {
    const unknown = "UPID:pve1:00001234:00001234:66000000:qmstart:100:root@pam:";
    const r = await h.api.get(`/nodes/pve1/tasks/${encodeURIComponent(unknown)}/status`);
    expect(r.status).toBe(400);
    expect(r.data.errors).toEqual({ upid: "no such task" });
    const bad = await h.api.get("/nodes/pve1/tasks/garbage/status");
    expect(bad.status).toBe(400);
    expect(bad.data.errors.upid).toContain("unable to parse worker upid");
  });

  it("fails a second task on a busy VM with PVE's lock timeout after a short wait", async () => {
    const first = await h.api.post("/nodes/pve1/qemu/100/status/start");
    const second = await h.api.post("/nodes/pve1/qemu/100/status/stop");
    const s2 = await waitTask(h.api, second.data.data);
    expect(s2.exitstatus).toBe("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    expect((await waitTask(h.api, first.data.data)).exitstatus).toBe("OK");
    const busy = h.api.post("/nodes/pve1/qemu/100/status/stop");
    await new Promise((r) => setTimeout(r, 10));
    const put = await h.api.put("/nodes/pve1/qemu/100/config", form({ cores: 2 }));
    expect(put.status).toBe(500);
    expect(put.statusText).toBe("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    await waitTask(h.api, (await busy).data.data);
  });

  it("refuses config changes on a VM with a config lock (VM is locked)", async () => {
    const snap = await h.api.post("/nodes/pve1/qemu/100/snapshot", form({ snapname: "s1" }));
    await new Promise((r) => setTimeout(r, 20));
    const put = await h.api.put("/nodes/pve1/qemu/100/config", form({ cores: 3 }));
    expect(put.status).toBe(500);
    expect(put.statusText).toBe("VM is locked (snapshot)");
    expect((await waitTask(h.api, snap.data.data)).exitstatus).toBe("OK");
    expect(await createVm(h.api, 101)).toBe("OK");
  });
});
