import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: power, delete, resize", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await createVm(h.api, 200, { name: "app", scsi0: "local-lvm:10", net0: "virtio,bridge=vmbr0", memory: 1024 });
  });
  afterAll(async () => h.stop());

  it("runs power actions as tasks and reports live status", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/qemu/200/status/start"), h.api)).toBe("OK");
    const cur = (await h.api.get("/nodes/pve1/qemu/200/status/current")).data.data;
    expect(cur).toMatchObject({ vmid: 200, status: "running", qmpstatus: "running", name: "app", maxmem: 1024 * 1024 * 1024, maxdisk: 10 * 1024 ** 3, cpus: 1 });
    const list = (await h.api.get("/nodes/pve1/qemu")).data.data;
    expect(list.find((v: { vmid: number }) => v.vmid === 200)).toMatchObject({ status: "running", name: "app" });
    expect(await runTask(h.api.post("/nodes/pve1/qemu/200/status/shutdown", form({ timeout: 30 })), h.api)).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/200/status/current")).data.data.status).toBe("stopped");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/200/status/stop"), h.api)).toBe("OK");
    const reboot = await h.api.post("/nodes/pve1/qemu/200/status/reboot");
    expect(reboot.status).toBe(500);
    expect(reboot.statusText).toBe("VM 200 not running");
  });

  it("grows disks as a task, rejects shrinking and treats equal sizes as a no-op", async () => {
    expect(await runTask(h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi0", size: "+2G" })), h.api)).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/200/config")).data.data.scsi0).toBe("local-lvm:vm-200-disk-0,size=12G");
    expect(await runTask(h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi0", size: "1T" })), h.api)).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/200/config")).data.data.scsi0).toBe("local-lvm:vm-200-disk-0,size=1T");
    expect(await runTask(h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi0", size: "1024G" })), h.api)).toBe("OK");
    expect(await runTask(h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi0", size: "20G" })), h.api)).toBe("shrinking disks is not supported");
    expect(await runTask(h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi5", size: "+1G" })), h.api)).toBe("disk 'scsi5' does not exist");
    const bad = await h.api.put("/nodes/pve1/qemu/200/resize", form({ disk: "scsi0", size: "10X" }));
    expect(bad.status).toBe(400);
    expect(bad.data.errors.size).toBe("value does not match the regex pattern");
  });

  it("refuses to destroy running or protected VMs, then destroys with its disks", async () => {
    await runTask(h.api.post("/nodes/pve1/qemu/200/status/start"), h.api);
    const running = await h.api.delete("/nodes/pve1/qemu/200");
    expect(running.status).toBe(500);
    expect(running.statusText).toBe("VM 200 is running - destroy failed");
    await runTask(h.api.post("/nodes/pve1/qemu/200/status/stop"), h.api);
    await h.api.put("/nodes/pve1/qemu/200/config", form({ protection: 1 }));
    const prot = await h.api.delete("/nodes/pve1/qemu/200");
    expect(prot.statusText).toBe("can't remove VM 200 - protection mode enabled");
    await h.api.put("/nodes/pve1/qemu/200/config", form({ delete: "protection" }));
    expect(await runTask(h.api.delete("/nodes/pve1/qemu/200", { params: { purge: 1, "destroy-unreferenced-disks": 1 } }), h.api)).toBe("OK");
    const gone = await h.api.get("/nodes/pve1/qemu/200/status/current");
    expect(gone.status).toBe(500);
    expect(gone.statusText).toBe("Configuration file 'nodes/pve1/qemu-server/200.conf' does not exist");
    const content = (await h.api.get("/nodes/pve1/storage/local-lvm/content")).data.data as Array<{ vmid?: number }>;
    expect(content.filter((v) => v.vmid === 200)).toEqual([]);
  });
});

describe("proxmox sim: clone, template, snapshots", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await createVm(h.api, 300, { name: "base", scsi0: "local-lvm:8", ide2: "local-lvm:cloudinit", net0: "virtio,bridge=vmbr0", ciuser: "ops" });
  });
  afterAll(async () => h.stop());

  it("refuses linked clones of non-templates and full-clones them with new identity", async () => {
    const linked = await h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 301, full: 0 }));
    expect(linked.status).toBe(500);
    expect(linked.statusText).toBe("Linked clone feature is not supported for 'local-lvm:vm-300-disk-0' (scsi0)");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 301, name: "copy" })), h.api)).toBe("OK");
    const src = (await h.api.get("/nodes/pve1/qemu/300/config")).data.data;
    const dst = (await h.api.get("/nodes/pve1/qemu/301/config")).data.data;
    expect(dst.name).toBe("copy");
    expect(dst.scsi0).toBe("local-lvm:vm-301-disk-0,size=8G");
    expect(dst.ide2).toBe("local-lvm:vm-301-cloudinit,media=cdrom");
    expect(dst.net0).not.toBe(src.net0);
    expect(dst.smbios1).not.toBe(src.smbios1);
    expect(dst.vmgenid).not.toBe(src.vmgenid);
    expect(dst.ciuser).toBe("ops");
    const dup = await h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 301 }));
    expect(dup.statusText).toBe("VM 301 already exists on node 'pve1'");
  });

  it("converts to a template (base volumes) and makes linked clones by default", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/qemu/300/template"), h.api)).toBe("OK");
    const tpl = (await h.api.get("/nodes/pve1/qemu/300/config")).data.data;
    expect(tpl.template).toBe(1);
    expect(tpl.scsi0).toBe("local-lvm:base-300-disk-0,size=8G");
    const again = await h.api.post("/nodes/pve1/qemu/300/template");
    expect(again.statusText).toBe("you can't convert a template to a template");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/300/status/start"), h.api)).toBe("you can't start a vm if it's a template");
    const storageForLinked = await h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 302, full: 0, storage: "local-lvm" }));
    expect(storageForLinked.status).toBe(400);
    expect(storageForLinked.data.errors.storage).toBe("parameter 'storage' not allowed for linked clones");
    const [a, b] = await Promise.all([
      runTask(h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 302, name: "l1" })), h.api),
      runTask(h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 303, name: "l2" })), h.api),
    ]);
    expect([a, b]).toEqual(["OK", "OK"]);
    expect((await h.api.get("/nodes/pve1/qemu/302/config")).data.data.scsi0).toBe("local-lvm:base-300-disk-0/vm-302-disk-0,size=8G");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 304, full: 1 })), h.api)).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/304/config")).data.data.name).toBe("Copy-of-VM-base");
    const cross = await h.api.post("/nodes/pve1/qemu/300/clone", form({ newid: 305, target: "pve2" }));
    expect(cross.statusText).toBe("can't clone VM to node 'pve2' (VM uses local storage)");
  });

  it("takes, lists, rolls back and deletes snapshots as tasks", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/qemu/301/snapshot", form({ snapname: "before", description: "pre-change" })), h.api)).toBe("OK");
    await h.api.put("/nodes/pve1/qemu/301/config", form({ cores: 6 }));
    expect(await runTask(h.api.put("/nodes/pve1/qemu/301/resize", form({ disk: "scsi0", size: "+8G" })), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/301/snapshot", form({ snapname: "after" })), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/301/snapshot", form({ snapname: "after" })), h.api)).toBe("snapshot name 'after' already used");
    const list = (await h.api.get("/nodes/pve1/qemu/301/snapshot")).data.data as Array<Record<string, unknown>>;
    expect(list.map((s) => s.name).sort()).toEqual(["after", "before", "current"]);
    expect(list.find((s) => s.name === "after")).toMatchObject({ parent: "before", vmstate: 0 });
    expect(list.find((s) => s.name === "current")).toMatchObject({ description: "You are here!", parent: "after", running: 0 });
    expect((await h.api.get("/nodes/pve1/qemu/301/snapshot/before/config")).data.data).toMatchObject({ description: "pre-change", scsi0: "local-lvm:vm-301-disk-0,size=8G" });
    expect(await runTask(h.api.post("/nodes/pve1/qemu/301/snapshot/before/rollback"), h.api)).toBe("OK");
    const c = (await h.api.get("/nodes/pve1/qemu/301/config")).data.data;
    expect(c.cores).toBeUndefined();
    expect(c.scsi0).toBe("local-lvm:vm-301-disk-0,size=8G");
    expect(c.parent).toBe("before");
    expect(await runTask(h.api.delete("/nodes/pve1/qemu/301/snapshot/before"), h.api)).toBe("OK");
    const after = (await h.api.get("/nodes/pve1/qemu/301/snapshot")).data.data as Array<Record<string, unknown>>;
    expect(after.find((s) => s.name === "after")!.parent).toBeUndefined();
    expect(await runTask(h.api.delete("/nodes/pve1/qemu/301/snapshot/nope"), h.api)).toBe("snapshot 'nope' does not exist");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/300/snapshot", form({ snapname: "x1" })), h.api)).toBe("you can't take a snapshot if it's a template");
  });

  it("refuses snapshots of raw disks on NFS", async () => {
    await h.api.post("/storage", form({ storage: "nas", type: "nfs", server: "127.0.0.1", export: "/mnt/tank/pve", content: "images,iso" }));
    expect(await createVm(h.api, 310, { scsi0: "nas:4" })).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/310/config")).data.data.scsi0).toBe("nas:310/vm-310-disk-0.raw,size=4G");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/310/snapshot", form({ snapname: "s1" })), h.api)).toBe("snapshot feature is not available");
    expect(await createVm(h.api, 311, { scsi0: "nas:4,format=qcow2" })).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/qemu/311/snapshot", form({ snapname: "s1" })), h.api)).toBe("OK");
  });
});
