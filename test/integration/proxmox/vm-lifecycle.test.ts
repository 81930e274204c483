import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxmoxProvider } from "../../../src/providers/proxmox/index.js";
import type { ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { connect, createOne, desiredSpec, observeOne, op, providerYaml, pveApi, startWorld, STACK, vmYaml, waitUpid, type World, failure } from "./helpers.js";

const KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example.com";
const KEY_B = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob+ops@example.com";

describe("proxmox provider: VM lifecycle against the simulator", () => {
  let w: World;
  let session: ProxmoxSession;
  const requests: Array<{ method: string; path: string; status?: number }> = [];

  beforeAll(async () => {
    w = await startWorld();
    await w.write({
      "pve.yaml": providerYaml(),
      "web.yaml": vmYaml("web-1", `  cpu: { cores: 2, sockets: 1, type: x86-64-v2-AES }
  memory: 2GiB
  disks: [{ size: 8GiB }, { size: 1TiB, bus: virtio }]
  networks: [{ model: virtio, vlan: 10 }, { model: e1000, mac: "bc:24:11:aa:bb:cc" }]
  cloudInit: { user: ubuntu, sshKeys: ["${KEY_A}  ", "${KEY_B}"], packages: [nginx] }
  iso: local:iso/debian-12.7.0-amd64-netinst.iso
  tags: [web, prod, alpha]
  description: "Front end\\nsecond line   \\n\\n"
  autostart: true
`),
    });
    session = await connect(w, await w.load(), { onRequest: (r) => requests.push(r) });
  });
  afterAll(async () => {
    await session.close();
    await w.stop();
  });

  it("creates a VM that observes with no diff for every field (MAC, tags, sizes, keys, description)", async () => {
    const desired = await w.load();
    const created = await createOne(session, desired, "VirtualMachine/web-1");
    expect(created.externalId).toMatch(/^pve1\/\d+$/);
    expect(created.marker).toEqual({ stack: STACK, address: "VirtualMachine/web-1" });
    const spec = desiredSpec(desired, "VirtualMachine/web-1");
    expect(proxmoxProvider.diff("VirtualMachine", spec, created.spec)).toEqual([]);
    const observed = (await observeOne(session, created.externalId))!;
    expect(proxmoxProvider.diff("VirtualMachine", spec, observed.spec)).toEqual([]);
    const s = observed.spec as Record<string, any>;
    expect(s.networks[0].mac).toMatch(/^BC:24:11:/);
    expect(s.networks[1].mac).toBe("BC:24:11:AA:BB:CC");
    expect(s.disks).toEqual([{ slot: "scsi0", storage: "local-lvm", size: 8192 }, { slot: "virtio0", storage: "local-lvm", size: 1048576 }]);
    expect(s.tags).toEqual(["alpha", "prod", "web"]);
    expect(s.cloudInit).toEqual({ user: "ubuntu", sshKeys: [KEY_A, KEY_B], snippet: null }); // snippet: the cicustom user-data (none)
    expect(s.power).toBe("running");
    const { vmid } = { vmid: created.externalId.split("/")[1] };
    const raw = (await pveApi(w, "GET", `/nodes/pve1/qemu/${vmid}/config`)).data as Record<string, string>;
    expect(raw.tags).toBe("alpha;prod;vmsync;web");
    expect(raw.description).toBe("Front end\nsecond line\n\nmanaged-by=vmsync stack=test address=VirtualMachine%2Fweb-1");
    expect(raw.virtio0).toContain("size=1T");
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => !/secret|password/i.test(JSON.stringify(r)))).toBe(true);
  });

  it("keeps the generated MAC when rewriting a NIC line", async () => {
    const id = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1"] }))[0]!;
    const macBefore = (id.spec as any).networks[0].mac;
    await w.write({ "web.yaml": (await import("node:fs")).readFileSync(`${w.dir}/web.yaml`, "utf8").replace("vlan: 10", "vlan: 20") });
    const desired = await w.load();
    const spec = desiredSpec(desired, "VirtualMachine/web-1");
    const changes = proxmoxProvider.diff("VirtualMachine", spec, id.spec);
    expect(changes).toEqual([{ path: "networks[0].vlan", before: 10, after: 20, effect: "in-place" }]);
    const after = await session.update({ address: "VirtualMachine/web-1", kind: "VirtualMachine", externalId: id.externalId, spec, changes, marker: { stack: STACK, address: "VirtualMachine/web-1" } }, op());
    expect((after.spec as any).networks[0]).toEqual({ model: "virtio", bridge: "vmbr0", vlan: 20, mac: macBefore });
    expect(proxmoxProvider.diff("VirtualMachine", spec, after.spec)).toEqual([]);
  });

  it("classifies cores/memory on a running VM as restart, applies them with a reboot, and grows disks", async () => {
    const before = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1"] }))[0]!;
    const spec = { ...(before.spec as any), cpu: { cores: 4, sockets: 1, type: "x86-64-v2-AES" }, memory: 4096, disks: [{ slot: "scsi0", storage: "local-lvm", size: 16384 }, (before.spec as any).disks[1]], tags: ["web"] };
    delete spec.vmid;
    const changes = proxmoxProvider.diff("VirtualMachine", spec, before.spec);
    const byPath = Object.fromEntries(changes.map((c) => [c.path, c.effect]));
    expect(byPath).toEqual({ "cpu.cores": "restart", memory: "restart", "disks[0].size": "in-place", tags: "in-place" });
    const after = await session.update({ address: "VirtualMachine/web-1", kind: "VirtualMachine", externalId: before.externalId, spec, changes, marker: { stack: STACK, address: "VirtualMachine/web-1" } }, op());
    expect(proxmoxProvider.diff("VirtualMachine", spec, after.spec)).toEqual([]);
    const vmid = before.externalId.split("/")[1];
    const pending = (await pveApi(w, "GET", `/nodes/pve1/qemu/${vmid}/pending`)).data as Array<{ pending?: unknown }>;
    expect(pending.filter((p) => p.pending !== undefined)).toEqual([]);
    const current = (await pveApi(w, "GET", `/nodes/pve1/qemu/${vmid}/config`, { current: 1 })).data as Record<string, unknown>;
    expect(current.cores).toBe(4);
    expect(String(current.scsi0)).toContain("size=16G");
  });

  it("does not show a change that is already pending", async () => {
    const before = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1"] }))[0]!;
    const vmid = before.externalId.split("/")[1];
    expect((await pveApi(w, "PUT", `/nodes/pve1/qemu/${vmid}/config`, { sockets: 2 })).status).toBe(200);
    const pending = (await pveApi(w, "GET", `/nodes/pve1/qemu/${vmid}/pending`)).data as Array<{ key: string; pending?: unknown }>;
    expect(pending.find((p) => p.key === "sockets")?.pending).toBe(2);
    const spec = { ...(before.spec as any), cpu: { ...(before.spec as any).cpu, sockets: 2 } };
    const observed = await observeOne(session, before.externalId);
    expect(proxmoxProvider.diff("VirtualMachine", spec, observed!.spec)).toEqual([]);
  });

  it("blocks shrinking a disk and replaces on a node change", () => {
    const observed = { node: "pve1", disks: [{ slot: "scsi0", storage: "local-lvm", size: 16384 }], power: "running" };
    const changes = proxmoxProvider.diff("VirtualMachine", { node: "pve2", disks: [{ slot: "scsi0", storage: "local-lvm", size: 8192 }] }, observed);
    expect(changes.map((c) => [c.path, c.effect])).toEqual([["disks[0].size", "unsupported"], ["node", "replace"]]);
    const removed = proxmoxProvider.diff("VirtualMachine", { disks: [] }, observed);
    expect(removed[0]!.effect).toBe("unsupported");
  });

  it("stops and starts the VM for power", async () => {
    const before = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1"] }))[0]!;
    const marker = { stack: STACK, address: "VirtualMachine/web-1" };
    const stopped = { ...(before.spec as any), power: "stopped" };
    const changes = proxmoxProvider.diff("VirtualMachine", stopped, before.spec);
    expect(changes).toEqual([{ path: "power", before: "running", after: "stopped", effect: "in-place" }]);
    const after = await session.update({ address: marker.address, kind: "VirtualMachine", externalId: before.externalId, spec: stopped, changes, marker }, op());
    expect((after.spec as any).power).toBe("stopped");
    const running = { ...(after.spec as any), power: "running" };
    const again = await session.update({ address: marker.address, kind: "VirtualMachine", externalId: before.externalId, spec: running, changes: proxmoxProvider.diff("VirtualMachine", running, after.spec), marker }, op());
    expect((again.spec as any).power).toBe("running");
  });

  it("create is safe to retry: a second create adopts the VM instead of duplicating it", async () => {
    const desired = await w.load();
    const first = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1"] }))[0]!;
    const again = await createOne(session, desired, "VirtualMachine/web-1");
    expect(again.externalId).toBe(first.externalId);
  });

  it("refuses to delete a VM it does not own, deletes its own (stopping it first), and deleting again succeeds", async () => {
    expect(await waitUpid(w, (await pveApi(w, "POST", "/nodes/pve1/qemu", { vmid: 900, name: "stranger", memory: 512 })).data)).toBe("OK");
    await expect(session.delete({ address: "VirtualMachine/web-1", kind: "VirtualMachine", externalId: "pve1/900", spec: { name: "web-1" } }, op())).rejects.toThrow(/not VirtualMachine\/web-1.*nothing was deleted/);
    const mine = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["web-1", "stranger"] }));
    expect(mine.find((o) => o.name === "stranger")?.marker).toBeUndefined();
    const web = mine.find((o) => o.name === "web-1")!;
    const req = { address: "VirtualMachine/web-1", kind: "VirtualMachine" as const, externalId: web.externalId };
    await session.delete(req, op());
    expect(await observeOne(session, web.externalId)).toBeUndefined();
    await session.delete(req, op());
  });

  it("reports permanent errors with the operation, the request and Proxmox's own text", async () => {
    await w.write({ "bad.yaml": vmYaml("bad-1", "  memory: 1GiB\n  disks: [{ size: 8GiB, storage: nosuch }]\n") });
    const desired = await w.load();
    const err = await failure(createOne(session, desired, "VirtualMachine/bad-1"));
    expect(err.message).toMatch(/^cannot create proxmox vm bad-1 \(POST \/nodes\/pve1\/qemu\): task failed: unable to create VM \d+ - storage 'nosuch' does not exist/);
    expect(err.retryable).toBe(false);
  });
});
