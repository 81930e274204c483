/**
 * Proxmox session: runtime status from the bulk observe (node, power), `restart` through
 * `status/reboot` (refused for a stopped guest), and snapshot rollback (`qmrollback`, the guest
 * started again when it was running) — against the simulator over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { connect, createOne, observeOne, op, providerYaml, pveApi, startWorld, STACK, vmYaml, type World } from "./helpers.js";

describe("proxmox provider: status, restart and rollback", () => {
  let w: World;
  let session: ProxmoxSession;
  beforeAll(async () => {
    w = await startWorld();
    await w.write({
      "pve.yaml": providerYaml(),
      "vms.yaml": vmYaml("pr-run", "  memory: 1GiB\n  disks: [{ size: 2GiB }]\n") + "---\n" + vmYaml("pr-off", "  memory: 512MiB\n  disks: [{ size: 2GiB }]\n  power: stopped\n"),
    });
    session = await connect(w, await w.load());
  });
  afterAll(async () => {
    await session.close();
    await w.stop();
  });

  const tasks = async (type: string) => ((await pveApi(w, "GET", "/nodes/pve1/tasks", { limit: 500 })).data as Array<{ type: string; status?: string }>).filter((t) => t.type === type);

  it("observes node and power as status, and restarts only a running guest", async () => {
    const desired = await w.load();
    const run = await createOne(session, desired, "VirtualMachine/pr-run");
    const off = await createOne(session, desired, "VirtualMachine/pr-off");
    expect((await observeOne(session, run.externalId))!.status).toEqual({ placement: "pve1", power: "running" });
    expect((await observeOne(session, off.externalId))!.status).toEqual({ placement: "pve1", power: "stopped" });

    const before = (await tasks("qmreboot")).length;
    await session.power.restart({ kind: "VirtualMachine", externalId: run.externalId }, op());
    expect((await tasks("qmreboot")).length).toBe(before + 1);
    expect((await observeOne(session, run.externalId))!.status?.power).toBe("running");

    const refused = await session.power.restart({ kind: "VirtualMachine", externalId: off.externalId }, op()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "NOT_RUNNING", retryable: false });
    expect((refused as Error).message).toMatch(/^cannot restart proxmox vm pve1\/\d+: it is not running/);
    expect((await observeOne(session, off.externalId))!.status?.power).toBe("stopped");
  });

  it("takes a marked snapshot and rolls a running guest back to it, running again afterwards", async () => {
    const run = (await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: ["pr-run"] })).find((o) => o.name === "pr-run")!;
    const target = { kind: "VirtualMachine" as const, externalId: run.externalId };
    await session.snapshots.create(target, "before-upgrade", op());
    expect(await session.snapshots.list(target)).toEqual([expect.objectContaining({ name: "before-upgrade", stack: STACK })]);
    const vmid = run.externalId.split("/")[1];
    expect((await pveApi(w, "PUT", `/nodes/pve1/qemu/${vmid}/config`, { memory: 2048 })).status).toBe(200);
    await session.snapshots.rollback!(target, "before-upgrade", op());
    const after = (await observeOne(session, run.externalId))!;
    expect(after.spec.memory).toBe(1024);
    expect(after.status?.power).toBe("running");
    const missing = await session.snapshots.rollback!(target, "no-such", op()).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/snapshot 'no-such' does not exist/);
  });
});
