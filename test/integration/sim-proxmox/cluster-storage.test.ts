import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: cluster reads", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clusterResourcesLagMs: 300 });
  });
  afterAll(async () => h.stop());

  it("hands out the same next id to concurrent callers; the second create fails with already exists", async () => {
    const [a, b] = await Promise.all([h.api.get("/cluster/nextid"), h.api.get("/cluster/nextid")]);
    expect(a.data.data).toBe("100");
    expect(b.data.data).toBe("100");
    const first = await h.api.post("/nodes/pve1/qemu", form({ vmid: Number(a.data.data), name: "a" }));
    const second = await h.api.post("/nodes/pve2/qemu", form({ vmid: Number(b.data.data), name: "b" }));
    expect(first.status).toBe(200);
    expect(second.status).toBe(500);
    expect(second.statusText).toBe("unable to create VM 100 - VM 100 already exists on node 'pve1'");
    expect(second.data.message).toBe("unable to create VM 100 - VM 100 already exists on node 'pve1'\n");
    expect((await h.api.get("/cluster/nextid")).data.data).toBe("101");
    const taken = await h.api.get("/cluster/nextid", { params: { vmid: 100 } });
    expect(taken.status).toBe(400);
    expect(taken.data.errors).toEqual({ vmid: "VM 100 already exists" });
    expect((await h.api.get("/cluster/nextid", { params: { vmid: 555 } })).data.data).toBe("555");
  });

  it("lists new VMs in /cluster/resources at once but with unknown status until the lag passes", async () => {
    await createVm(h.api, 120, { name: "fresh", memory: 1024, tags: "B;a" }, "pve2");
    const now = (await h.api.get("/cluster/resources", { params: { type: "vm" } })).data.data as Array<Record<string, unknown>>;
    const e = now.find((x) => x.vmid === 120)!;
    expect(e).toMatchObject({ id: "qemu/120", node: "pve2", type: "qemu", status: "unknown", tags: "a;b" });
    expect(e.name).toBeUndefined();
    await runTask(h.api.post("/nodes/pve2/qemu/120/status/start"), h.api);
    expect((await h.api.get("/nodes/pve2/qemu/120/status/current")).data.data.status).toBe("running");
    await new Promise((r) => setTimeout(r, 350));
    const later = (await h.api.get("/cluster/resources", { params: { type: "vm" } })).data.data as Array<Record<string, unknown>>;
    expect(later.find((x) => x.vmid === 120)).toMatchObject({ status: "running", name: "fresh", maxmem: 1024 * 1024 * 1024, template: 0 });
  });

  it("lists nodes and per-node storages, and rejects bad type filters", async () => {
    const nodes = (await h.api.get("/cluster/resources", { params: { type: "node" } })).data.data;
    expect(nodes.map((n: { id: string }) => n.id)).toEqual(["node/pve1", "node/pve2"]);
    const storages = (await h.api.get("/cluster/resources", { params: { type: "storage" } })).data.data;
    expect(storages.map((s: { id: string }) => s.id)).toEqual(["storage/pve1/local", "storage/pve1/local-lvm", "storage/pve2/local", "storage/pve2/local-lvm"]);
    expect(storages[1]).toMatchObject({ storage: "local-lvm", plugintype: "lvmthin", status: "available", shared: 0, content: "images,rootdir" });
    const bad = await h.api.get("/cluster/resources", { params: { type: "qemu" } });
    expect(bad.status).toBe(400);
    expect(bad.data.errors.type).toBe("value 'qemu' does not have a value in the enumeration 'vm, storage, node, sdn'");
  });
});

describe("proxmox sim: storage", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it("has local (iso, vztmpl, snippets) and local-lvm (images) by default", async () => {
    const all = (await h.api.get("/storage")).data.data as Array<Record<string, unknown>>;
    const byId = Object.fromEntries(all.map((s) => [s.storage, s]));
    expect(byId.local).toMatchObject({ type: "dir", content: "iso,snippets,vztmpl", path: "/var/lib/vz" });
    expect(byId["local-lvm"]).toMatchObject({ type: "lvmthin", content: "images,rootdir" });
    expect(all[0]!.digest).toBe(all[1]!.digest);
    const isos = (await h.api.get("/nodes/pve1/storage/local/content", { params: { content: "iso" } })).data.data;
    expect(isos.length).toBeGreaterThan(0);
  });

  it("creates, reads, updates and deletes NFS storage as PVE does", async () => {
    const created = await h.api.post("/storage", form({ storage: "tank-vms", type: "nfs", server: "192.168.1.20", export: "/mnt/tank/vms", content: "iso,images", options: "vers=4.2" }));
    expect(created.data).toEqual({ data: { storage: "tank-vms", type: "nfs" } });
    const one = (await h.api.get("/storage/tank-vms")).data.data;
    expect(one).toMatchObject({ storage: "tank-vms", type: "nfs", server: "192.168.1.20", export: "/mnt/tank/vms", options: "vers=4.2", path: "/mnt/pve/tank-vms", shared: 1, content: "images,iso" });
    const dup = await h.api.post("/storage", form({ storage: "tank-vms", type: "nfs", server: "x", export: "/y" }));
    expect(dup.statusText).toBe("create storage failed: storage ID 'tank-vms' already defined");
    const missing = await h.api.post("/storage", form({ storage: "n2", type: "nfs" }));
    expect(missing.status).toBe(400);
    expect(missing.data.errors).toEqual({ server: "property is missing and it is not optional", export: "property is missing and it is not optional" });
    const fixed = await h.api.put("/storage/tank-vms", form({ server: "10.0.0.1" }));
    expect(fixed.statusText).toBe("can't change value of fixed parameter 'server'");
    const stale = await h.api.put("/storage/tank-vms", form({ options: "vers=3", digest: "0".repeat(40) }));
    expect(stale.statusText).toBe("detected modified configuration - file changed by other user? Try again.");
    expect((await h.api.put("/storage/tank-vms", form({ options: "vers=3", content: "images" }))).status).toBe(200);
    expect((await h.api.get("/storage/tank-vms")).data.data).toMatchObject({ options: "vers=3", content: "images" });
    const status = (await h.api.get("/nodes/pve2/storage/tank-vms/status")).data.data;
    expect(status).toMatchObject({ type: "nfs", active: 1, enabled: 1, shared: 1 });
    const perNode = (await h.api.get("/nodes/pve1/storage", { params: { content: "images" } })).data.data;
    expect(perNode.map((s: { storage: string }) => s.storage)).toEqual(["local-lvm", "tank-vms"]);
    expect((await h.api.delete("/storage/tank-vms")).data).toEqual({ data: null });
    const gone = await h.api.get("/storage/tank-vms");
    expect(gone.statusText).toBe("storage 'tank-vms' does not exist");
    const noSuch = await h.api.get("/nodes/pve1/storage/tank-vms/status");
    expect(noSuch.status).toBe(400);
    expect(noSuch.data.errors).toEqual({ storage: "No such storage." });
  });

  it("refuses disks on storages without images content", async () => {
    expect(await createVm(h.api, 130, { scsi0: "local:4" })).toBe("unable to create VM 130 - storage 'local' does not support vm images");
  });
});
