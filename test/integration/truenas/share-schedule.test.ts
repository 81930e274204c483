import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedResource, ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { connect, op, resource, startSim, CASES, type Sim } from "./helpers.js";

const scope = { kinds: ["VirtualMachine" as const, "NfsShare" as const, "SnapshotSchedule" as const], externalIds: [], names: [] };
const marker = (address: string) => ({ stack: "test", address });

describe.each(CASES)("TrueNAS %s (transport %s): NFS shares and native snapshot schedules", (version, transport) => {
  let h: Sim;
  let s: ProviderSession;
  let config: Awaited<ReturnType<typeof connect>>["config"];
  beforeAll(async () => {
    h = await startSim(version);
    ({ session: s, config } = await connect(h, { transport }));
  });
  afterAll(async () => {
    await s.close();
    await h.dispose();
  });

  const media = resource("NfsShare", "media", { provider: "nas", size: "100GiB", dataset: "tank/vmsync/media", networks: ["10.0.1.0/24", "10.0.0.0/24"], hosts: [], readOnly: false, rootSquash: true });
  let share: ObservedResource;

  it("creates the dataset with its quota, the share with its networks and root mapping, and enables and starts NFS", async () => {
    const spec = P.canonicalize(media, config);
    expect(spec).toEqual({ dataset: "tank/vmsync/media", quota: 102400, networks: ["10.0.0.0/24", "10.0.1.0/24"], hosts: [], readOnly: false, maprootUser: "nobody", maprootGroup: "nogroup", mapallUser: null });
    share = await s.create({ address: media.address, kind: "NfsShare", name: "media", spec, marker: marker(media.address) }, op());
    expect(share.externalId).toBe("tank/vmsync/media");
    expect(P.diff("NfsShare", spec, share.spec)).toEqual([]);
    const [row] = (await h.admin("sharing.nfs.query", [])) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ path: "/mnt/tank/vmsync/media", comment: "vmsync:stack=test address=NfsShare/media", maproot_user: "nobody", ro: false });
    const [svc] = (await h.admin("service.query", [[["service", "=", "nfs"]]])) as Array<Record<string, unknown>>;
    expect(svc).toMatchObject({ enable: true, state: "RUNNING" });
    const again = await s.create({ address: media.address, kind: "NfsShare", name: "media", spec, marker: marker(media.address) }, op());
    expect(again.externalId).toBe(share.externalId);
    expect(await h.admin("sharing.nfs.query", [[], { count: true }])).toBe(1);
  });

  it("shows drift made behind vmsync's back and updates it in place", async () => {
    const [row] = (await h.admin("sharing.nfs.query", [])) as Array<Record<string, unknown>>;
    await h.admin("sharing.nfs.update", [row!.id, { ro: true }]);
    const o = (await s.observe(scope)).find((x) => x.kind === "NfsShare")!;
    const want = P.canonicalize(resource("NfsShare", "media", { ...media.spec, size: "200GiB", rootSquash: false }), config);
    const changes = P.diff("NfsShare", want, o.spec);
    expect(changes.map((c) => [c.path, c.effect])).toEqual([["maprootGroup", "in-place"], ["maprootUser", "in-place"], ["quota", "in-place"], ["readOnly", "in-place"]]);
    const out = await s.update({ address: media.address, kind: "NfsShare", externalId: o.externalId, spec: want, changes, marker: marker(media.address) }, op());
    expect(P.diff("NfsShare", want, out.spec)).toEqual([]);
  });

  it("creates one snapshot task per target (VM recursive), converges changes, and finds the tasks by marker", async () => {
    const vm = resource("VirtualMachine", "db-1", { provider: "nas", memory: "1GiB", power: "stopped", disks: [{ size: "2GiB" }] });
    await s.create({ address: vm.address, kind: "VirtualMachine", name: "db_1", spec: P.canonicalize(vm, config), marker: marker(vm.address) }, op());
    const nightly = resource("SnapshotSchedule", "nightly@nas", { targets: [], schedule: "0 3 * * 0", retention: { keepLast: 7 }, namingSchema: "vmsync-%Y%m%d-%H%M", recursive: false, resolvedTargets: ["NfsShare/media", "VirtualMachine/db-1"] }, { attachmentOf: "SnapshotSchedule/nightly", externalName: "nightly" });
    const spec = P.canonicalize(nightly, config);
    expect(spec).toEqual({ tasks: [
      { dataset: "tank/vmsync/db_1", recursive: true, schedule: { minute: "0", hour: "3", dom: "*", month: "*", dow: "7" }, lifetime: { value: 7, unit: "WEEK" }, namingSchema: "vmsync-%Y%m%d-%H%M", enabled: true },
      { dataset: "tank/vmsync/media", recursive: false, schedule: { minute: "0", hour: "3", dom: "*", month: "*", dow: "7" }, lifetime: { value: 7, unit: "WEEK" }, namingSchema: "vmsync-%Y%m%d-%H%M", enabled: true },
    ] });
    const created = await s.create({ address: nightly.address, kind: "SnapshotSchedule", name: "nightly", spec, marker: marker(nightly.address) }, op());
    expect(created).toMatchObject({ externalId: "tasks:test:SnapshotSchedule/nightly@nas", name: "nightly", marker: marker(nightly.address) });
    expect(P.diff("SnapshotSchedule", spec, created.spec)).toEqual([]);
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(2);
    await s.create({ address: nightly.address, kind: "SnapshotSchedule", name: "nightly", spec, marker: marker(nightly.address) }, op());
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(2);

    const [task] = (await h.admin("pool.snapshottask.query", [[["dataset", "=", "tank/vmsync/media"]]])) as Array<Record<string, unknown>>;
    await h.admin("pool.snapshottask.update", [task!.id, { lifetime_value: 1, lifetime_unit: "DAY" }]);
    const o = (await s.observe(scope)).find((x) => x.kind === "SnapshotSchedule")!;
    const hourly = resource("SnapshotSchedule", "nightly@nas", { ...nightly.spec, schedule: "hourly", retention: { maxAge: "2d" }, resolvedTargets: ["NfsShare/media"] }, { attachmentOf: "SnapshotSchedule/nightly" });
    const want = P.canonicalize(hourly, config);
    const changes = P.diff("SnapshotSchedule", want, o.spec);
    expect(changes.length).toBeGreaterThan(0);
    const out = await s.update({ address: nightly.address, kind: "SnapshotSchedule", externalId: o.externalId, spec: want, changes, marker: marker(nightly.address) }, op());
    expect(P.diff("SnapshotSchedule", want, out.spec)).toEqual([]);
    expect(out.spec).toEqual({ tasks: [expect.objectContaining({ dataset: "tank/vmsync/media", lifetime: { value: 2, unit: "DAY" }, schedule: expect.objectContaining({ minute: "0", hour: "*" }) })] });
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(1);

    await s.delete({ address: nightly.address, kind: "SnapshotSchedule", externalId: o.externalId }, op());
    expect(await h.admin("pool.snapshottask.query", [[], { count: true }])).toBe(0);
    expect((await s.observe(scope)).filter((x) => x.kind === "SnapshotSchedule")).toEqual([]);
  });

  it("deletes the share and then its dataset; a dataset vmsync did not create is left alone", async () => {
    await s.delete({ address: media.address, kind: "NfsShare", externalId: share.externalId }, op());
    expect(await h.admin("sharing.nfs.query", [[], { count: true }])).toBe(0);
    expect(await h.admin("pool.dataset.query", [[["id", "=", "tank/vmsync/media"]], { count: true }])).toBe(0);
    await h.admin("pool.dataset.create", [{ name: "tank/vmsync/theirs" }]);
    const theirs = resource("NfsShare", "theirs", { provider: "nas", size: "1GiB", dataset: "tank/vmsync/theirs" });
    await expect(s.create({ address: theirs.address, kind: "NfsShare", name: "theirs", spec: P.canonicalize(theirs, config), marker: marker(theirs.address) }, op())).rejects.toMatchObject({
      retryable: false, message: expect.stringMatching(/^cannot create truenas nfs share theirs: dataset tank\/vmsync\/theirs already exists and vmsync did not create it/),
    });
    await s.delete({ address: theirs.address, kind: "NfsShare", externalId: "tank/vmsync/theirs" }, op());
    expect(await h.admin("pool.dataset.query", [[["id", "=", "tank/vmsync/theirs"]], { count: true }])).toBe(1);
  });
});
