import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: create options and other power states", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it("starts the VM when created with start=1", async () => {
    expect(await createVm(h.api, 400, { start: 1, scsi0: "local-lvm:2" })).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/400/status/current")).data.data.status).toBe("running");
    expect((await h.api.get("/nodes/pve1/qemu")).data.data[0]).toMatchObject({ vmid: 400, status: "running", name: "VM 400" });
  });

  it("creates templates directly with template=1 (base volumes)", async () => {
    expect(await createVm(h.api, 401, { template: 1, scsi0: "local-lvm:2", storage: "local-lvm", scsi1: "3" })).toBe("OK");
    const c = (await h.api.get("/nodes/pve1/qemu/401/config")).data.data;
    expect(c).toMatchObject({ template: 1, scsi0: "local-lvm:base-401-disk-0,size=2G", scsi1: "local-lvm:base-401-disk-1,size=3G" });
  });

  it("sizes EFI and TPM state disks as PVE does, whatever size was asked", async () => {
    expect(await createVm(h.api, 402, { bios: "ovmf", efidisk0: "local-lvm:1,efitype=4m,pre-enrolled-keys=1", tpmstate0: "local-lvm:1,version=v2.0" })).toBe("OK");
    const c = (await h.api.get("/nodes/pve1/qemu/402/config")).data.data;
    expect(c.efidisk0).toBe("local-lvm:vm-402-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M");
    expect(c.tpmstate0).toBe("local-lvm:vm-402-disk-1,size=4M,version=v2.0");
  });

  it("suspends and resumes a running VM and refuses shutdown while paused", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/qemu/400/status/suspend"), h.api)).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/400/status/current")).data.data.qmpstatus).toBe("paused");
    const shut = await h.api.post("/nodes/pve1/qemu/400/status/shutdown");
    expect(shut.statusText).toBe("VM is paused - cannot shutdown");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/400/status/resume"), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/400/status/reset"), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/400/status/stop"), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/400/status/stop"), h.api)).toBe("OK");
  });

  it("validates cloud-init ssh keys as URL-encoded and masks cipassword", async () => {
    const bad = await h.api.put("/nodes/pve1/qemu/400/config", form({ sshkeys: "ssh-ed25519 AAAA user@host" }));
    expect(bad.status).toBe(400);
    expect(bad.data.errors.sshkeys).toMatch(/^invalid format - invalid urlencoded string/);
    const key = encodeURIComponent("ssh-ed25519 AAAA user@host\n");
    expect((await h.api.put("/nodes/pve1/qemu/400/config", form({ sshkeys: key, cipassword: "s3cret", ciuser: "ops" }))).status).toBe(200);
    const c = (await h.api.get("/nodes/pve1/qemu/400/config")).data.data;
    expect(c.sshkeys).toBe(key);
    expect(c.cipassword).toBe("**********");
  });

  it("refuses the wrong node for an existing VM as a missing config file", async () => {
    const r = await h.api.get("/nodes/pve2/qemu/400/config");
    expect(r.status).toBe(500);
    expect(r.statusText).toBe("Configuration file 'nodes/pve2/qemu-server/400.conf' does not exist");
  });
});
