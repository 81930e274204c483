import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyClient, RpcClient } from "./client.js";
import { sim } from "./setup.js";

type Sim = Awaited<ReturnType<typeof sim>>;

describe("25.10 storage, NFS, services, snapshots", () => {
  let h: Sim;
  let c: RpcClient;
  beforeAll(async () => {
    h = await sim("25.10.1");
    c = await RpcClient.connect(h);
    await c.login(h);
  });
  afterAll(async () => {
    c.close();
    await h.dispose();
  });

  it("creates filesystems with quota and zvols with volsize; union validation errors", async () => {
    const bad = (await c.call("pool.dataset.create", [{ name: "tank/vm1", type: "VOLUME" }])).error!;
    expect(bad.data.extra).toEqual([
      ["data.PoolDatasetCreateFilesystem.type", "Input should be 'FILESYSTEM'", 22],
      ["data.PoolDatasetCreateVolume.volsize", "Field required", 22],
    ]);
    const noParent = (await c.call("pool.dataset.create", [{ name: "tank/a/b" }])).error!;
    expect(noParent.data.extra).toEqual([["pool_dataset_create.name", "Parent dataset does not exist for specified name", 2]]);
    const fs = await c.ok("pool.dataset.create", [{ name: "tank/shares", quota: 10 * 2 ** 30, comments: "vmsync" }]);
    expect(fs).toMatchObject({ id: "tank/shares", type: "FILESYSTEM", mountpoint: "/mnt/tank/shares", quota: { parsed: 10 * 2 ** 30, value: "10G", source: "LOCAL" }, compression: { value: "LZ4", source: "INHERITED" } });
    const odd = (await c.call("pool.dataset.create", [{ name: "tank/z1", volsize: 1000 }])).error!;
    expect(odd.data.extra).toEqual([["pool_dataset_create.volsize", "Volume size should be a multiple of volume block size", 22]]);
    const zv = await c.ok("pool.dataset.create", [{ name: "tank/z1", volsize: 2 ** 30 }]);
    expect(zv).toMatchObject({ type: "VOLUME", mountpoint: null, volsize: { parsed: 2 ** 30, value: "1G" }, volblocksize: { value: "16K" } });
    const again = (await c.call("pool.dataset.create", [{ name: "tank/z1", type: "VOLUME", volsize: 2 ** 30 }])).error!;
    expect(again.data).toMatchObject({ error: 14, reason: "[EFAULT] Failed to create dataset: cannot create 'tank/z1': dataset already exists" });
    const up = await c.ok("pool.dataset.update", [zv.id, { volsize: 2 ** 31 }]);
    expect(up.volsize.parsed).toBe(2 ** 31);
    const shrink = (await c.call("pool.dataset.update", [zv.id, { volsize: 2 ** 30 }])).error!;
    expect(shrink.data.extra[0][0]).toBe("pool_dataset_update.volsize");
    const q = await c.ok("pool.dataset.query", [[["type", "=", "VOLUME"]], { extra: { properties: ["volsize"], retrieve_children: false } }]);
    expect(q).toHaveLength(1);
    expect(q[0]).not.toHaveProperty("compression");
    expect(await c.ok("pool.dataset.get_instance", ["tank/shares"])).toMatchObject({ name: "tank/shares" });
    expect((await c.call("pool.dataset.get_instance", ["tank/nope"])).error!.data.extra).toEqual([[null, "PoolDataset tank/nope does not exist", 2]]);
  });

  it("NFS shares: path (not paths), conflicts, service enable/start; dataset delete removes attached shares and tasks", async () => {
    const paths = (await c.call("sharing.nfs.create", [{ paths: ["/mnt/tank/shares"] }])).error!;
    expect(paths.data.extra).toEqual([
      ["data.path", "Field required", 22],
      ["data.paths", "Extra inputs are not permitted", 22],
    ]);
    expect((await c.call("sharing.nfs.create", [{ path: "/mnt/tank/shares", comment: null }])).error!.data.extra).toEqual([["data.comment", "Input should be a valid string", 22]]);
    expect((await c.call("sharing.nfs.create", [{ path: "/mnt/tank/none" }])).error!.data.extra).toEqual([["sharingnfs_create.path", "Path does not exist.", 2]]);
    const share = await c.ok("sharing.nfs.create", [{ path: "/mnt/tank/shares", networks: ["10.0.0.0/24"], comment: "vmsync:NfsShare/data", maproot_user: "root", maproot_group: "wheel" }]);
    expect(share).toMatchObject({ id: expect.any(Number), path: "/mnt/tank/shares", ro: false, enabled: true, expose_snapshots: false, locked: false, hosts: [], security: [] });
    const conflict = (await c.call("sharing.nfs.create", [{ path: "/mnt/tank/shares", networks: ["10.0.0.0/24"] }])).error!;
    expect(conflict.data.extra[0][0]).toBe("sharingnfs_create.path");
    expect(conflict.data.extra[0][1]).toMatch(/^ERROR - Export conflict\. Another share with the same path exports/);
    expect((await c.ok("sharing.nfs.update", [share.id, { ro: true }])).ro).toBe(true);

    const [nfs] = await c.ok("service.query", [[["service", "=", "nfs"]]]);
    expect(nfs).toMatchObject({ service: "nfs", enable: false, state: "STOPPED" });
    expect(await c.ok("service.update", ["nfs", { enable: true }])).toBe(nfs.id);
    expect(await c.ok("service.start", ["nfs", { silent: true }])).toBe(true);
    expect(await c.ok("service.query", [[["service", "=", "nfs"]], { get: true }])).toMatchObject({ enable: true, state: "RUNNING" });
    const jobId = await c.ok("service.control", ["STOP", "nfs"]);
    expect(Number.isInteger(jobId)).toBe(true);

    const task = await c.ok("pool.snapshottask.create", [{ dataset: "tank/shares" }]);
    expect(task).toMatchObject({ recursive: false, lifetime_value: 2, lifetime_unit: "WEEK", naming_schema: "auto-%Y-%m-%d_%H-%M", schedule: { minute: "00", hour: "*", begin: "00:00", end: "23:59" }, enabled: true, state: { state: "PENDING" } });
    const notEmpty = (await c.call("pool.dataset.delete", ["tank"])).error!;
    expect(notEmpty.data.error).toBe(22);
    await c.ok("pool.dataset.create", [{ name: "tank/shares/child" }]);
    const enot = (await c.call("pool.dataset.delete", ["tank/shares"])).error!;
    expect(enot.data).toMatchObject({ error: 39, errname: "ENOTEMPTY" });
    expect(await c.ok("pool.dataset.delete", ["tank/shares", { recursive: true }])).toBe(true);
    expect(await c.ok("sharing.nfs.query")).toEqual([]);
    expect(await c.ok("pool.snapshottask.query")).toEqual([]);
  });

  it("periodic snapshot tasks and pool.snapshot.* one-off snapshots", async () => {
    await c.ok("pool.dataset.create", [{ name: "tank/data" }]);
    await c.ok("pool.dataset.create", [{ name: "tank/data/sub" }]);
    expect((await c.call("pool.snapshottask.create", [{ dataset: "tank/gone" }])).error!.data.extra).toEqual([["periodic_snapshot_create.dataset", "Dataset not found", 22]]);
    const task = await c.ok("pool.snapshottask.create", [{ dataset: "tank/data", recursive: true, lifetime_value: 7, lifetime_unit: "DAY", naming_schema: "vmsync-%Y%m%d-%H%M", schedule: { minute: "0", hour: "3" } }]);
    expect(task.schedule).toEqual({ minute: "0", hour: "3", dom: "*", month: "*", dow: "*", begin: "00:00", end: "23:59" });
    const upd = await c.ok("pool.snapshottask.update", [task.id, { lifetime_value: 14, fixate_removal_date: true }]);
    expect(upd.lifetime_value).toBe(14);
    expect(await c.ok("pool.snapshottask.run", [task.id])).toBeNull();
    const snaps = await c.ok("pool.snapshot.query", [[["dataset", "^", "tank/data"]]]);
    expect(snaps.map((s: any) => s.dataset).sort()).toEqual(["tank/data", "tank/data/sub"]);

    const both = (await c.call("pool.snapshot.create", [{ dataset: "tank/data" }])).error!;
    expect(both.data.extra).toEqual([
      ["data.PoolSnapshotCreateWithName.name", "Field required", 22],
      ["data.PoolSnapshotCreateWithSchema.naming_schema", "Field required", 22],
    ]);
    const s = await c.ok("pool.snapshot.create", [{ dataset: "tank/data", name: "manual-1" }]);
    expect(s).toMatchObject({ id: "tank/data@manual-1", name: "tank/data@manual-1", dataset: "tank/data", snapshot_name: "manual-1", type: "SNAPSHOT", pool: "tank" });
    expect((await c.call("pool.snapshot.create", [{ dataset: "tank/data", name: "manual-1" }])).error!.data).toMatchObject({ error: 17, errname: "EEXIST" });
    expect(await c.ok("pool.snapshot.delete", ["tank/data@manual-1"])).toBe(true);
    expect((await c.call("pool.snapshot.delete", ["tank/data@manual-1"])).error!.data.extra).toEqual([[null, "PoolSnapshot tank/data@manual-1 does not exist", 2]]);
    expect(await c.ok("pool.snapshottask.delete", [task.id])).toBe(true);
  });
});

describe("24.10 storage, NFS, snapshots", () => {
  let h: Sim;
  let c: LegacyClient;
  beforeAll(async () => {
    h = await sim("24.10.2");
    c = await LegacyClient.connect(h);
    await c.login(h);
    await c.ok("pool.dataset.create", [{ name: "tank/data" }]);
  });
  afterAll(async () => {
    c.close();
    await h.dispose();
  });

  it("NFS uses path with legacy messages; delete returns null; no service.control", async () => {
    const e = (await c.call("sharing.nfs.create", [{ paths: ["/mnt/tank/data"] }])).error!;
    expect(e.extra).toEqual([
      ["sharingnfs_create.paths", "Field was not expected", 22],
      ["sharingnfs_create.path", "attribute required", 22],
    ]);
    const s = await c.ok("sharing.nfs.create", [{ path: "/mnt/tank/data", comment: null }]);
    expect(s).not.toHaveProperty("expose_snapshots");
    expect(await c.ok("sharing.nfs.delete", [s.id])).toBeNull();
    expect((await c.call("service.control", ["START", "nfs"])).error!.error).toBe(201);
    expect(await c.ok("service.update", ["nfs", { enable: true }])).toEqual(expect.any(Number));
  });

  it("snapshot tasks need every field; one-off snapshots are zfs.snapshot.*", async () => {
    const e = (await c.call("pool.snapshottask.create", [{ dataset: "tank/data" }])).error!;
    expect(e.extra.map((x: any) => x[0])).toEqual([
      "periodic_snapshot_create.recursive",
      "periodic_snapshot_create.lifetime_value",
      "periodic_snapshot_create.lifetime_unit",
      "periodic_snapshot_create.naming_schema",
      "periodic_snapshot_create.schedule",
    ]);
    expect((await c.call("pool.snapshot.create", [{ dataset: "tank/data", name: "x" }])).error!.error).toBe(201);
    const s = await c.ok("zfs.snapshot.create", [{ dataset: "tank/data", naming_schema: "snap-%Y" }]);
    expect(s.snapshot_name).toBe(`snap-${new Date().getUTCFullYear()}`);
    expect(await c.ok("zfs.snapshot.delete", [s.id])).toBe(true);
  });
});
