/**
 * TrueNAS session: runtime status from the bulk observe (pool, power), `restart` through the
 * `vm.restart` job (refused for a stopped VM), and one-off ZFS snapshots of a VM's disks and of a
 * share's dataset — taken atomically, marked with the stack, rolled back (the VM stopped and
 * started again), and never destroying newer snapshots — on both snapshot dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedResource, ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { connect, op, resource, startSim, VERSIONS, type Sim } from "./helpers.js";

const marker = (address: string) => ({ stack: "test", address });

describe.each(VERSIONS)("TrueNAS %s: status, restart and snapshots", (version) => {
  let h: Sim;
  let s: ProviderSession;
  let config: Awaited<ReturnType<typeof connect>>["config"];
  let vm: ObservedResource;
  let off: ObservedResource;
  beforeAll(async () => {
    h = await startSim(version);
    ({ session: s, config } = await connect(h));
    const mk = async (name: string, power: string) => {
      const r = resource("VirtualMachine", name, { provider: "nas", memory: "1GiB", power, disks: [{ size: "2GiB" }, { name: "data", size: "1GiB" }], networks: [{ bridge: "br0" }] });
      return s.create({ address: r.address, kind: "VirtualMachine", name: name.replace(/-/g, "_"), spec: P.canonicalize(r, config), marker: marker(r.address) }, op());
    };
    vm = await mk("ps-run", "running");
    off = await mk("ps-off", "stopped");
  });
  afterAll(async () => {
    await s.close();
    await h.dispose();
  });

  const jobs = async (method: string) => ((await h.admin("core.get_jobs", [[["method", "=", method]]])) as unknown[]).length;

  it("observes pool and power as status, and restarts only a running VM", async () => {
    const all = await s.observe({ kinds: ["VirtualMachine"], externalIds: [], names: [] });
    expect(all.find((o) => o.externalId === vm.externalId)!.status).toEqual({ placement: "tank", power: "running" });
    expect(all.find((o) => o.externalId === off.externalId)!.status).toEqual({ placement: "tank", power: "stopped" });
    const before = await jobs("vm.restart");
    await s.power!.restart({ kind: "VirtualMachine", externalId: vm.externalId }, op());
    expect(await jobs("vm.restart")).toBe(before + 1);
    const refused = await s.power!.restart({ kind: "VirtualMachine", externalId: off.externalId }, op()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "NOT_RUNNING", retryable: false });
    expect((refused as Error).message).toMatch(/^cannot restart truenas vm \d+: it is stopped/);
  });

  it("snapshots a VM's disks atomically with the stack's marker, and rolls back to it (stopped, then started again)", async () => {
    const target = { kind: "VirtualMachine" as const, externalId: vm.externalId };
    await s.snapshots!.create(target, "before", op());
    await s.snapshots!.create(target, "before", op()); // exists: done
    const snaps = (await h.admin(version.startsWith("25.10") ? "pool.snapshot.query" : "zfs.snapshot.query", [[["snapshot_name", "=", "before"]]])) as Array<{ id: string; createtxg: string }>;
    expect(snaps.map((x) => x.id).sort()).toEqual(["tank/vmsync/ps_run/data@before", "tank/vmsync/ps_run/disk0@before", "tank/vmsync/ps_run@before"]);
    expect(new Set(snaps.map((x) => x.createtxg)).size).toBe(1); // one transaction: atomic across the disks
    expect(await s.snapshots!.list(target)).toEqual([expect.objectContaining({ name: "before", stack: "test" })]);
    await s.snapshots!.rollback!(target, "before", op());
    const state = ((await h.admin("vm.query", [[["id", "=", Number(vm.externalId)]]])) as Array<{ status: { state: string } }>)[0]!.status.state;
    expect(state).toBe("RUNNING");
    expect(await jobs("vm.stop")).toBeGreaterThan(0);
  });

  it("refuses a rollback past newer snapshots (vmsync never destroys them) and deletes only its own snapshot's datasets", async () => {
    const target = { kind: "VirtualMachine" as const, externalId: vm.externalId };
    await s.snapshots!.create(target, "after", op());
    const refused = await s.snapshots!.rollback!(target, "before", op()).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/more recent snapshots/);
    expect((await s.snapshots!.list(target)).map((x) => x.name)).toEqual(["before", "after"]);
    await s.snapshots!.delete(target, "after", op());
    await s.snapshots!.delete(target, "after", op()); // gone: done
    expect((await s.snapshots!.list(target)).map((x) => x.name)).toEqual(["before"]);
  });
});
