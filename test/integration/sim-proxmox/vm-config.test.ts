import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: VM config canonicalisation and updates", () => {
  let h: Harness;
  const config = async (vmid: number, current = false): Promise<Record<string, unknown>> =>
    (await h.api.get(`/nodes/pve1/qemu/${vmid}/config`, { params: current ? { current: 1 } : {} })).data.data;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it("rewrites values at create as PVE stores them and adds server keys", async () => {
    expect(
      await createVm(h.api, 100, {
        name: "web-1", memory: 2048, cores: 2, sockets: 1, scsihw: "virtio-scsi-single",
        scsi0: "local-lvm:32,ssd=1,discard=on,iothread=1,format=raw", scsi1: "local-lvm:1024",
        net0: "virtio,bridge=vmbr0,firewall=1,tag=10", net1: "model=e1000,macaddr=bc:24:11:aa:bb:cc,bridge=vmbr0",
        ide2: "local-lvm:cloudinit", ide0: "local:iso/debian-12.7.0-amd64-netinst.iso,media=cdrom",
        tags: "Web, prod;alpha web", description: "owned by vmsync\nline two  \n\n", ipconfig0: "ip=10.0.0.5/24,gw=10.0.0.1",
        agent: "enabled=1,fstrim_cloned_disks=1",
      }),
    ).toBe("OK");
    const c = await config(100);
    expect(c.scsi0).toBe("local-lvm:vm-100-disk-0,discard=on,iothread=1,size=32G,ssd=1");
    expect(c.scsi1).toBe("local-lvm:vm-100-disk-1,size=1T");
    expect(c.net0).toMatch(/^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0,firewall=1,tag=10$/);
    expect(c.net1).toBe("e1000=BC:24:11:AA:BB:CC,bridge=vmbr0");
    expect(c.ide2).toBe("local-lvm:vm-100-cloudinit,media=cdrom");
    expect(c.ide0).toBe("local:iso/debian-12.7.0-amd64-netinst.iso,media=cdrom,size=631M");
    expect(c.tags).toBe("alpha;prod;web");
    expect(c.description).toBe("owned by vmsync\nline two");
    expect(c.ipconfig0).toBe("gw=10.0.0.1,ip=10.0.0.5/24");
    expect(c.agent).toBe("1,fstrim_cloned_disks=1");
    expect(c.memory).toBe("2048");
    expect(c.boot).toBe("order=scsi0;ide0;net0");
    expect(c.meta).toMatch(/^creation-qemu=[\d.]+,ctime=\d+$/);
    expect(c.smbios1).toMatch(/^uuid=[0-9a-f-]{36}$/);
    expect(c.vmgenid).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.digest).toMatch(/^[0-9a-f]{40}$/);
  });

  it("fails creation of an existing id synchronously with PVE's text", async () => {
    const r = await h.api.post("/nodes/pve2/qemu", form({ vmid: 100 }));
    expect(r.status).toBe(500);
    expect(r.statusText).toBe("unable to create VM 100 - VM 100 already exists on node 'pve1'");
  });

  it("fails the create task (and removes the VM) for an unsupported format", async () => {
    expect(await createVm(h.api, 109, { scsi0: "local-lvm:8,format=qcow2" })).toBe("unable to create VM 109 - unsupported format 'qcow2'");
    expect((await h.api.get("/nodes/pve1/qemu/109/config")).status).toBe(500);
  });

  it("applies POST (task) and PUT (sync) updates to a stopped VM at once", async () => {
    const s = await runTask(h.api.post("/nodes/pve1/qemu/100/config", form({ cores: 4 })), h.api);
    expect(s).toBe("OK");
    expect((await h.api.put("/nodes/pve1/qemu/100/config", form({ sockets: 2, tags: "b;A" }))).data).toEqual({ data: null });
    const c = await config(100);
    expect(c).toMatchObject({ cores: 4, sockets: 2, tags: "a;b" });
    expect((await h.api.get("/nodes/pve1/qemu/100/pending")).data.data.every((e: Record<string, unknown>) => e.pending === undefined)).toBe(true);
  });

  it("keeps the digest when the server's own canonical strings are sent back, and changes MACs otherwise", async () => {
    const before = await config(100);
    await h.api.put("/nodes/pve1/qemu/100/config", form({ net0: String(before.net0), scsi0: String(before.scsi0) }));
    const same = await config(100);
    expect(same.digest).toBe(before.digest);
    await h.api.put("/nodes/pve1/qemu/100/config", form({ net0: "virtio,bridge=vmbr0,firewall=1,tag=10" }));
    const churned = await config(100);
    expect(churned.net0).not.toBe(before.net0);
    expect(churned.digest).not.toBe(before.digest);
  });

  it("rejects a stale digest and locks with PVE's texts", async () => {
    const r = await h.api.put("/nodes/pve1/qemu/100/config", form({ cores: 1, digest: "0".repeat(40) }));
    expect(r.status).toBe(500);
    expect(r.statusText).toBe("checksum mismatch (file change by other user?)");
    const none = await h.api.put("/nodes/pve1/qemu/100/config", form({}));
    expect(none.statusText).toBe("no options specified");
    const both = await h.api.put("/nodes/pve1/qemu/100/config", form({ cores: 1, delete: "cores" }));
    expect(both.status).toBe(400);
    expect(both.data.errors.delete).toBe("you can't use '-cores' and -delete cores' at the same time");
    const boot = await h.api.put("/nodes/pve1/qemu/100/config", form({ boot: "order=scsi0;ide3" }));
    expect(boot.statusText).toBe("invalid bootorder: device 'ide3' does not exist'");
  });

  it("keeps restart-needing changes pending on a running VM and applies hot-pluggable ones", async () => {
    await runTask(h.api.post("/nodes/pve1/qemu/100/status/start"), h.api);
    await h.api.put("/nodes/pve1/qemu/100/config", form({ cores: 8, memory: 4096, name: "web-one", onboot: 1, delete: "ipconfig0" }));
    const current = await config(100, true);
    expect(current).toMatchObject({ cores: 4, memory: "2048", name: "web-one", onboot: 1 });
    expect(current.ipconfig0).toBeUndefined();
    const pendingApplied = await config(100);
    expect(pendingApplied).toMatchObject({ cores: 8, memory: "4096" });
    const pending = (await h.api.get("/nodes/pve1/qemu/100/pending")).data.data as Array<Record<string, unknown>>;
    expect(pending.find((e) => e.key === "cores")).toEqual({ key: "cores", value: 4, pending: 8 });
    expect(pending.find((e) => e.key === "memory")).toEqual({ key: "memory", value: "2048", pending: "4096" });
    await h.api.put("/nodes/pve1/qemu/100/config", form({ delete: "sockets" }));
    expect((await h.api.get("/nodes/pve1/qemu/100/pending")).data.data.find((e: Record<string, unknown>) => e.key === "sockets")).toEqual({ key: "sockets", value: 2, delete: 1 });
    await h.api.put("/nodes/pve1/qemu/100/config", form({ revert: "sockets" }));
    await runTask(h.api.post("/nodes/pve1/qemu/100/status/reboot"), h.api);
    const after = await config(100, true);
    expect(after).toMatchObject({ cores: 8, memory: "4096", sockets: 2 });
    await runTask(h.api.post("/nodes/pve1/qemu/100/status/stop"), h.api);
  });

  it("moves replaced and deleted disks to unusedN and destroys them with force", async () => {
    await h.api.put("/nodes/pve1/qemu/100/config", form({ scsi1: "local-lvm:2" }));
    let c = await config(100);
    expect(c.scsi1).toBe("local-lvm:vm-100-disk-2,size=2G");
    expect(c.unused0).toBe("local-lvm:vm-100-disk-1");
    await h.api.put("/nodes/pve1/qemu/100/config", form({ delete: "scsi1" }));
    c = await config(100);
    expect(c.scsi1).toBeUndefined();
    expect(c.unused1).toBe("local-lvm:vm-100-disk-2");
    await h.api.put("/nodes/pve1/qemu/100/config", form({ delete: "unused0,unused1" }));
    const content = (await h.api.get("/nodes/pve1/storage/local-lvm/content", { params: { vmid: 100 } })).data.data as Array<{ volid: string }>;
    expect(content.map((v) => v.volid).sort()).toEqual(["local-lvm:vm-100-cloudinit", "local-lvm:vm-100-disk-0"]);
    await h.api.put("/nodes/pve1/qemu/100/config", form({ scsi2: "local-lvm:1" }));
    await h.api.put("/nodes/pve1/qemu/100/config", form({ delete: "scsi2", force: 1 }));
    c = await config(100);
    expect(Object.keys(c).filter((k) => k.startsWith("unused"))).toEqual([]);
  });

  it("answers background_delay with null once the update finished", async () => {
    const r = await h.api.post("/nodes/pve1/qemu/100/config", form({ cores: 2, background_delay: 5 }));
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ data: null });
  });
});
