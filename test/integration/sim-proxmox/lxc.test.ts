import { createHash } from "node:crypto";
import type { AxiosInstance } from "axios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, form, runTask, startHarness, waitTask, type Harness } from "./helpers.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example.com";
const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** The simulator's `/nodes/{node}/lxc/…` tree checked against pve-container's behaviour (API2/LXC*.pm, LXC/Config.pm). */
describe("proxmox sim: LXC containers", () => {
  let h: Harness;
  let root: AxiosInstance;
  const config = async (vmid: number, params: Record<string, string | number> = {}): Promise<Record<string, unknown>> => (await h.api.get(`/nodes/pve1/lxc/${vmid}/config`, { params })).data.data;
  const create = (vmid: number, params: Record<string, string | number>, api = h.api) => api.post("/nodes/pve1/lxc", form({ vmid, ostemplate: TEMPLATE, ...params }));

  beforeAll(async () => {
    h = await startHarness();
    const login = await h.anon.post("/access/ticket", form({ username: "root@pam", password: h.sim.credentials.password }));
    root = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(login.data.data.ticket)}`, CSRFPreventionToken: login.data.data.CSRFPreventionToken });
  });
  afterAll(async () => h.stop());

  it("lists the seeded OS templates as vztmpl content", async () => {
    const r = await h.api.get("/nodes/pve1/storage/local/content", { params: { content: "vztmpl" } });
    expect(r.data.data.map((v: { volid: string }) => v.volid)).toContain(TEMPLATE);
    expect(r.data.data.find((v: { volid: string }) => v.volid === TEMPLATE)).toMatchObject({ format: "tzst", content: "vztmpl" });
  });

  it("creates a container as pve-container stores it: canonical rootfs/mp/net strings, defaults, secrets only inside", async () => {
    const r = await create(200, {
      hostname: "cache", cores: 2, memory: 1024, rootfs: "local-lvm:8", mp0: "local-lvm:2,mp=/data,backup=yes", net0: "name=eth0,bridge=vmbr0,ip=dhcp,tag=20",
      net1: "bridge=vmbr0,name=eth1,ip=10.0.0.5/24,gw=10.0.0.1,hwaddr=bc:24:11:aa:bb:cc", features: "nesting=1", tags: "Web,db", description: "cache box\n\n",
      password: "s3cret-pw", "ssh-public-keys": `${KEY}\n`,
    });
    expect(r.status, r.statusText).toBe(200);
    expect(String((await waitTask(h.api, r.data.data)).exitstatus)).toBe("OK");
    const c = await config(200);
    expect(c.rootfs).toBe("local-lvm:vm-200-disk-0,size=8G");
    expect(c.mp0).toBe("local-lvm:vm-200-disk-1,mp=/data,backup=1,size=2G");
    expect(c.net0).toMatch(/^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=dhcp,tag=20,type=veth$/);
    expect(c.net1).toBe("name=eth1,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.0.0.5/24,type=veth");
    expect(c).toMatchObject({ hostname: "cache", cores: 2, memory: 1024, swap: 512, ostype: "debian", arch: "amd64", unprivileged: 1, features: "nesting=1", tags: "db;web", description: "cache box\n" });
    expect(c.lock).toBeUndefined();
    expect(JSON.stringify(c)).not.toContain("s3cret");
    const world = (await h.api.get(`${h.sim.endpoint}/_sim/world`)).data as { vms: Record<string, { guestFs?: { rootPasswordSha256?: string; authorizedKeys?: string[] } }> };
    expect(world.vms["200"]!.guestFs).toEqual({ rootPasswordSha256: createHash("sha256").update("s3cret-pw").digest("hex"), authorizedKeys: [KEY] });
    const list = (await h.api.get("/nodes/pve1/lxc")).data.data as Array<Record<string, unknown>>;
    expect(list.find((e) => e.vmid === 200)).toMatchObject({ type: "lxc", status: "stopped", name: "cache", cpus: 2, maxmem: 1024 * 1024 ** 2, maxdisk: 8 * 1024 ** 3 });
    expect((await h.api.get("/nodes/pve1/qemu")).data.data.some((e: { vmid: number }) => e.vmid === 200)).toBe(false);
    const asVm = await h.api.get("/nodes/pve1/qemu/200/config");
    expect([asVm.status, asVm.statusText]).toEqual([500, "Configuration file 'nodes/pve1/qemu-server/200.conf' does not exist"]);
  });

  it("refuses bad input with PVE's status codes and texts", async () => {
    const noName = await create(201, { net0: "bridge=vmbr0,ip=dhcp" });
    expect(noName.status).toBe(400);
    expect(noName.data.errors.net0).toBe("invalid format - format error\nnet0.name: property is missing and it is not optional\n");
    const noTemplate = await h.api.post("/nodes/pve1/lxc", form({ vmid: 201 }));
    expect(noTemplate.data.errors).toEqual({ ostemplate: "property is missing and it is not optional" });
    const shortPw = await create(201, { rootfs: "local-lvm:4", password: "abc" });
    expect(shortPw.data.errors).toEqual({ password: "value must be at least 5 characters long" });
    const taken = await create(200, { rootfs: "local-lvm:4" });
    expect([taken.status, taken.statusText]).toEqual([500, "CT 200 already exists on node 'pve1'"]);
    const noRootdir = await create(201, {});
    expect(noRootdir.status).toBe(400);
    expect(noRootdir.data.errors).toEqual({ storage: "storage 'local' does not support container directories" });
    const iso = await h.api.post("/nodes/pve1/lxc", form({ vmid: 201, ostemplate: "local:iso/debian-12.7.0-amd64-netinst.iso", rootfs: "local-lvm:4" }));
    expect(iso.statusText).toBe("unable to use volume local:iso/debian-12.7.0-amd64-netinst.iso - content type needs to be 'vztmpl'");
    expect(await runTask(create(203, { storage: "local-lvm", rootfs: "2", mp0: "1,mp=/x" }), h.api)).toBe("OK");
    expect(await config(203)).toMatchObject({ rootfs: "local-lvm:vm-203-disk-0,size=2G", mp0: "local-lvm:vm-203-disk-1,mp=/x,size=1G" });
    const missing = await runTask(h.api.post("/nodes/pve1/lxc", form({ vmid: 201, ostemplate: "local:vztmpl/nope.tar.zst", rootfs: "local-lvm:4" })), h.api);
    expect(missing).toBe("unable to create CT 201 - volume 'local:vztmpl/nope.tar.zst' does not exist");
    expect((await h.api.get("/nodes/pve1/lxc/201/config")).statusText).toBe("Configuration file 'nodes/pve1/lxc/201.conf' does not exist");
  });

  it("allows bind mounts and features beyond nesting only to root@pam with a ticket, as PVE does", async () => {
    const bind = await create(202, { rootfs: "local-lvm:4", mp0: "/mnt/pve/nas-media/films,mp=/media,ro=1" });
    expect([bind.status, bind.statusText]).toEqual([403, "Permission check failed (mount point type bind is only allowed for root@pam)"]);
    const keyctl = await create(202, { rootfs: "local-lvm:4", features: "nesting=1,keyctl=1" });
    expect([keyctl.status, keyctl.statusText]).toEqual([403, "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)"]);
    expect(await runTask(create(202, { rootfs: "local-lvm:4", mp0: "/mnt/pve/nas-media/films,mp=/media,ro=1", features: "keyctl=1,nesting=1" }, root), root)).toBe("OK");
    expect((await config(202)).mp0).toBe("/mnt/pve/nas-media/films,mp=/media,ro=1");
    const tokenUpdate = await h.api.put("/nodes/pve1/lxc/202/config", form({ mp1: "/srv/x,mp=/x" }));
    expect(tokenUpdate.status).toBe(403);
  });

  it("updates a running container: cores/memory/new mount points at once, features pending until a reboot", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/lxc/200/status/start"), h.api)).toBe("OK");
    const again = await h.api.post("/nodes/pve1/lxc/200/status/start");
    expect([again.status, again.statusText]).toEqual([500, "CT 200 already running"]);
    const put = await root.put("/nodes/pve1/lxc/200/config", form({ cores: 4, memory: 2048, mp1: "local-lvm:1,mp=/logs", features: "nesting=1,fuse=1", hostname: "cache2" }));
    expect([put.status, put.data]).toEqual([200, { data: null }]);
    const current = await config(200, { current: 1 });
    expect(current).toMatchObject({ cores: 4, memory: 2048, hostname: "cache2", mp1: "local-lvm:vm-200-disk-2,mp=/logs,size=1G", features: "nesting=1" });
    const pending = (await h.api.get("/nodes/pve1/lxc/200/pending")).data.data as Array<Record<string, unknown>>;
    expect(pending.find((e) => e.key === "features")).toEqual({ key: "features", value: "nesting=1", pending: "nesting=1,fuse=1" });
    expect((await config(200)).features).toBe("nesting=1,fuse=1");
    expect(await runTask(h.api.post("/nodes/pve1/lxc/200/status/reboot"), h.api)).toBe("OK");
    expect((await config(200, { current: 1 })).features).toBe("nesting=1,fuse=1");
    const stale = await h.api.put("/nodes/pve1/lxc/200/config", form({ cores: 1, digest: "0".repeat(40) }));
    expect(stale.statusText).toBe("detected modified configuration - file changed by other user? Try again.");
    const ro = await h.api.put("/nodes/pve1/lxc/200/config", form({ unprivileged: 0 }));
    expect(ro.statusText).toBe("unable to modify read-only option: 'unprivileged'");
    const none = await h.api.put("/nodes/pve1/lxc/200/config", form({}));
    expect(none.statusText).toBe("no options specified");
  });

  it("resizes volumes, refusing shrink and equal sizes before forking", async () => {
    const shrink = await h.api.put("/nodes/pve1/lxc/200/resize", form({ disk: "rootfs", size: "4G" }));
    expect([shrink.status, shrink.statusText]).toEqual([500, "unable to shrink disk size"]);
    const same = await h.api.put("/nodes/pve1/lxc/200/resize", form({ disk: "rootfs", size: "8G" }));
    expect(same.statusText).toBe("disk is already at specified size");
    expect(await runTask(h.api.put("/nodes/pve1/lxc/200/resize", form({ disk: "rootfs", size: "+4G" })), h.api)).toBe("OK");
    expect((await config(200)).rootfs).toBe("local-lvm:vm-200-disk-0,size=12G");
    const bind = await root.put("/nodes/pve1/lxc/202/resize", form({ disk: "mp0", size: "10G" }));
    expect(bind.statusText).toBe("unable to parse volume ID '/mnt/pve/nas-media/films'");
  });

  it("snapshots containers with storage volumes; a bind mount makes the feature unavailable", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/lxc/200/snapshot", form({ snapname: "before", description: "x" })), h.api)).toBe("OK");
    const list = (await h.api.get("/nodes/pve1/lxc/200/snapshot")).data.data as Array<{ name: string }>;
    expect(list.map((s) => s.name).sort()).toEqual(["before", "current"]);
    const reserved = await h.api.post("/nodes/pve1/lxc/200/snapshot", form({ snapname: "vzdump" }));
    expect(reserved.statusText).toBe("unable to use snapshot name 'vzdump' (reserved name)");
    expect(await runTask(h.api.post("/nodes/pve1/lxc/202/snapshot", form({ snapname: "s1" })), h.api)).toBe("snapshot feature is not available");
    expect(await runTask(h.api.put("/nodes/pve1/lxc/200/resize", form({ disk: "rootfs", size: "16G" })), h.api)).toBe("OK");
    expect(await runTask(h.api.post("/nodes/pve1/lxc/200/snapshot/before/rollback"), h.api)).toBe("OK");
    expect((await config(200)).rootfs).toBe("local-lvm:vm-200-disk-0,size=12G");
    expect(await runTask(h.api.delete("/nodes/pve1/lxc/200/snapshot/before"), h.api)).toBe("OK");
    const stopped = await h.api.post("/nodes/pve1/lxc/200/status/stop");
    expect(stopped.statusText).toBe("CT 200 not running");
    const reboot = await h.api.post("/nodes/pve1/lxc/200/status/reboot");
    expect(reboot.statusText).toBe("VM 200 not running");
  });

  it("converts to a template (null answer, vztemplate worker) and clones it, one clone of a source at a time", async () => {
    expect(await runTask(create(210, { hostname: "base", rootfs: "local-lvm:4", net0: "name=eth0,bridge=vmbr0,ip=dhcp" }), h.api)).toBe("OK");
    const t = await h.api.post("/nodes/pve1/lxc/210/template");
    expect(t.data).toEqual({ data: null });
    while ((await config(210)).template !== 1) await new Promise((r) => setTimeout(r, 5));
    expect(await config(210)).toMatchObject({ template: 1, rootfs: "local-lvm:base-210-disk-0,size=4G" });
    const first = await h.api.post("/nodes/pve1/lxc/210/clone", form({ newid: 211, hostname: "c1" }));
    expect(first.status).toBe(200);
    expect(String((await waitTask(h.api, first.data.data)).exitstatus)).toBe("OK");
    const c = await config(211);
    expect(c.rootfs).toBe("local-lvm:base-210-disk-0/vm-211-disk-0,size=4G");
    expect(c.hostname).toBe("c1");
    expect(c.net0).not.toBe((await config(210)).net0);
    expect(await runTask(h.api.post("/nodes/pve1/lxc/210/clone", form({ newid: 212, hostname: "c2", full: 1, storage: "local-lvm" })), h.api)).toBe("OK");
    expect((await config(212)).rootfs).toBe("local-lvm:vm-212-disk-0,size=4G");
    const bind = await root.post("/nodes/pve1/lxc/202/clone", form({ newid: 213 }));
    expect(bind.statusText).toBe("unable to clone mountpoint 'mp0' (type bind)");
  });

  it("holds `lock: create` on a new container and `lock: disk` on a clone's source while their workers run", async () => {
    const slow = await startHarness();
    try {
      expect(await runTask(slow.api.post("/nodes/pve1/lxc", form({ vmid: 400, ostemplate: TEMPLATE, rootfs: "local-lvm:1" })), slow.api)).toBe("OK");
      expect((await slow.api.post("/nodes/pve1/lxc/400/template")).data).toEqual({ data: null });
      const converted = async () => (await slow.api.get("/nodes/pve1/lxc/400/config")).data.data.template === 1;
      while (!(await converted())) await new Promise((r) => setTimeout(r, 5));
      slow.sim.setKnobs({ taskDurationMs: 600_000 }); // workers now run until the simulator closes (which fast-forwards them)
      expect((await slow.api.post("/nodes/pve1/lxc", form({ vmid: 401, ostemplate: TEMPLATE, rootfs: "local-lvm:1" }))).status).toBe(200);
      expect((await slow.api.get("/nodes/pve1/lxc/401/config")).data.data.lock).toBe("create");
      expect((await slow.api.post("/nodes/pve1/lxc/400/clone", form({ newid: 402, hostname: "c1" }))).status).toBe(200);
      expect((await slow.api.get("/nodes/pve1/lxc/402/config")).data.data.lock).toBe("create");
      expect((await slow.api.get("/nodes/pve1/lxc/400/config")).data.data.lock).toBe("disk");
      const second = await slow.api.post("/nodes/pve1/lxc/400/clone", form({ newid: 403, hostname: "c2" }));
      expect([second.status, second.statusText]).toEqual([500, "CT is locked (disk)"]);
    } finally {
      await slow.stop();
    }
  });

  it("destroys a running container only with force, and frees its volumes", async () => {
    expect(await runTask(h.api.post("/nodes/pve1/lxc/200/status/start"), h.api)).toBe("OK");
    const refused = await h.api.delete("/nodes/pve1/lxc/200");
    expect([refused.status, refused.statusText]).toEqual([500, "unable to destroy CT 200 - container is running"]);
    expect(await runTask(h.api.delete("/nodes/pve1/lxc/200", { params: { force: 1, purge: 1 } }), h.api)).toBe("OK");
    const vols = (await h.api.get("/nodes/pve1/storage/local-lvm/content", { params: { vmid: 200 } })).data.data;
    expect(vols).toEqual([]);
  });

  it("lists containers in /cluster/resources as lxc entries that lag behind like qemu ones", async () => {
    const lag = await startHarness({ clusterResourcesLagMs: 60_000 });
    try {
      expect(await runTask(lag.api.post("/nodes/pve1/lxc", form({ vmid: 300, ostemplate: TEMPLATE, hostname: "fresh", rootfs: "local-lvm:4" })), lag.api)).toBe("OK");
      const res = (await lag.api.get("/cluster/resources", { params: { type: "vm" } })).data.data as Array<Record<string, unknown>>;
      expect(res.find((e) => e.vmid === 300)).toEqual({ id: "lxc/300", vmid: 300, node: "pve1", type: "lxc", status: "unknown" });
    } finally {
      await lag.stop();
    }
    const res = (await h.api.get("/cluster/resources", { params: { type: "vm" } })).data.data as Array<Record<string, unknown>>;
    expect(res.find((e) => e.vmid === 211)).toMatchObject({ id: "lxc/211", type: "lxc", name: "c1", status: "stopped" });
  });
});
