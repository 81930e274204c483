import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxmoxProvider, type ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { connect, createOne, desiredSpec, op, providerYaml, pveApi, startWorld, STACK, vmYaml, type World } from "./helpers.js";

const nas = `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: nas
spec:
  type: truenas
  endpoint: wss://nas.example.com:443
  auth:
    apiKey: { env: NAS_KEY }
  defaults: { pool: tank }
`;
const share = `apiVersion: vmsync.io/v1
kind: NfsShare
metadata:
  name: media
spec:
  provider: nas
  size: 100GiB
  attachTo:
    - { provider: pve, storage: nas-media, content: [iso, images], nodes: [pve2, pve1] }
`;

describe("proxmox provider: NFS storage and snapshots", () => {
  let w: World;
  let session: ProxmoxSession;
  beforeAll(async () => {
    w = await startWorld();
    await w.write({ "pve.yaml": providerYaml(), "nas.yaml": nas, "share.yaml": share, "vm.yaml": vmYaml("snap-1", "  memory: 512MiB\n  disks: [{ size: 2GiB }]\n  power: stopped\n") });
    session = await connect(w, await w.load());
  });
  afterAll(async () => {
    await session.close();
    await w.stop();
  });

  it("registers the export as NFS storage (server = the exporter's host, /mnt/<dataset>, vers=4.1) and marks it", async () => {
    const desired = await w.load();
    const spec = desiredSpec(desired, "NfsShare/media@pve");
    expect(spec).toEqual({ storage: "nas-media", server: "nas.example.com", export: "/mnt/tank/vmsync/media", content: ["images", "iso"], nodes: ["pve1", "pve2"], options: "vers=4.1" });
    const made = await createOne(session, desired, "NfsShare/media@pve");
    expect(made).toMatchObject({ kind: "NfsShare", externalId: "nas-media", name: "nas-media", marker: { stack: STACK, address: "NfsShare/media@pve" } });
    expect(proxmoxProvider.diff("NfsShare", spec, made.spec)).toEqual([]);
    const raw = (await pveApi(w, "GET", "/storage/nas-media")).data as Record<string, unknown>;
    expect(raw).toMatchObject({ type: "nfs", server: "nas.example.com", export: "/mnt/tank/vmsync/media", options: "vers=4.1", path: "/mnt/vmsync/test/media", shared: 1 });
    // adopted, not duplicated, on a retried create
    expect((await createOne(session, desired, "NfsShare/media@pve")).externalId).toBe("nas-media");
  });

  it("updates content and nodes in place, replaces on a server change, removes it", async () => {
    const desired = await w.load();
    const observed = (await session.observe({ kinds: ["NfsShare"], externalIds: ["nas-media"], names: [] }))[0]!;
    const spec = { ...desiredSpec(desired, "NfsShare/media@pve"), content: ["backup", "images"], nodes: null };
    const changes = proxmoxProvider.diff("NfsShare", spec, observed.spec);
    expect(changes.map((c) => [c.path, c.effect])).toEqual([["content", "in-place"], ["nodes", "in-place"]]);
    const after = await session.update({ address: "NfsShare/media@pve", kind: "NfsShare", externalId: "nas-media", spec, changes, marker: { stack: STACK, address: "NfsShare/media@pve" } }, op());
    expect(proxmoxProvider.diff("NfsShare", spec, after.spec)).toEqual([]);
    expect(proxmoxProvider.diff("NfsShare", { ...spec, server: "10.0.0.9" }, after.spec)[0]).toMatchObject({ path: "server", effect: "replace" });
    await session.delete({ address: "NfsShare/media@pve", kind: "NfsShare", externalId: "nas-media" }, op());
    expect(await session.observe({ kinds: ["NfsShare"], externalIds: ["nas-media"], names: [] })).toEqual([]);
    await session.delete({ address: "NfsShare/media@pve", kind: "NfsShare", externalId: "nas-media" }, op());
  });

  it("reports a same-named storage vmsync did not register without a marker, and refuses to touch it", async () => {
    await pveApi(w, "POST", "/storage", { storage: "nas-media", type: "nfs", server: "10.1.1.1", export: "/x" });
    const found = await session.observe({ kinds: ["NfsShare"], externalIds: [], names: ["nas-media"] });
    expect(found).toHaveLength(1);
    expect(found[0]!.marker).toBeUndefined();
    await expect(createOne(session, await w.load(), "NfsShare/media@pve")).rejects.toThrow(/already exists and vmsync did not register it/);
    await expect(session.delete({ address: "NfsShare/media@pve", kind: "NfsShare", externalId: "nas-media" }, op())).rejects.toThrow(/nothing was removed/);
  });

  it("lists, creates and deletes snapshots of a VM", async () => {
    const vm = await createOne(session, await w.load(), "VirtualMachine/snap-1");
    const target = { kind: "VirtualMachine" as const, externalId: vm.externalId };
    expect(await session.snapshots.list(target)).toEqual([]);
    await session.snapshots.create(target, "daily-1", op());
    await session.snapshots.create(target, "daily-2", op());
    await session.snapshots.create(target, "daily-2", op()); // already there: done
    const list = await session.snapshots.list(target);
    expect(list.map((s) => s.name)).toEqual(["daily-1", "daily-2"]);
    expect(Date.parse(list[0]!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    await session.snapshots.delete(target, "daily-1", op());
    await session.snapshots.delete(target, "daily-1", op()); // gone already: done
    expect((await session.snapshots.list(target)).map((s) => s.name)).toEqual(["daily-2"]);
  });
});
