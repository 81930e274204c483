import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxmoxProvider } from "../../../src/providers/proxmox/index.js";
import type { ProviderSession } from "../../../src/providers/contract.js";
import { observeAll } from "../../../src/reconcile/observe.js";
import { readCapacity } from "../../../src/reconcile/observe-capacity.js";
import { plan } from "../../../src/reconcile/plan.js";
import { emptyState } from "../../../src/state/contract.js";
import { connect, createOne, providerYaml, STACK, startWorld, vmYaml, type World } from "../proxmox/helpers.js";

const GIB = 1024 ** 3;

/** The Proxmox capacity read (node status, guests, storage status) against the simulator, and the plan it feeds. */
describe("Proxmox capacity", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
    await w.write({
      "providers.yaml": providerYaml().replace("  defaults:", "  capacity: { cpuOvercommit: 2 }\n  defaults:"),
      "a.yaml": vmYaml("cap-a", "  memory: 4GiB\n  cpu: { cores: 2, sockets: 2 }\n  disks: [{ size: 32GiB }]\n"),
      "b.yaml": vmYaml("cap-b", "  memory: 8GiB\n  power: stopped\n  disks: [{ size: 8GiB }]\n"),
    });
    const desired = await w.load();
    const session = await connect(w, desired);
    try {
      await createOne(session, desired, "VirtualMachine/cap-a");
      await createOne(session, desired, "VirtualMachine/cap-b");
    } finally {
      await session.close();
    }
  });
  afterAll(async () => w?.stop());

  it("reads node memory and vCPUs committed by running guests (times the overcommit ratio) and storage space", async () => {
    const desired = await w.load();
    const session = await connect(w, desired);
    try {
      const pools = new Map((await session.capacity()).map((p) => [p.key, p]));
      expect(pools.get("node/pve1/memory")).toMatchObject({ unit: "bytes", total: 128 * GIB, physical: 128 * GIB, used: 4 * GIB });
      expect(pools.get("node/pve1/cores")).toMatchObject({ unit: "count", total: 32, physical: 16, used: 4 });
      expect(pools.get("node/pve2/memory")).toMatchObject({ used: 0 });
      const lvm = pools.get("storage/pve1/local-lvm")!;
      expect(lvm.label).toBe("storage local-lvm on pve1");
      expect(lvm.used).toBeGreaterThanOrEqual(40 * GIB);
      expect(lvm.total).toBeGreaterThan(lvm.used);
    } finally {
      await session.close();
    }
  });

  it("a plan that overfills a node is blocked with the numbers; what fits is not", async () => {
    await w.write({
      "big.yaml": vmYaml("cap-big", "  memory: 200GiB\n  disks: [{ size: 16GiB }]\n"),
      "small.yaml": vmYaml("cap-small", "  memory: 2GiB\n  disks: [{ size: 16GiB }]\n"),
    });
    const desired = await w.load();
    const session = await connect(w, desired);
    try {
      const sessions = new Map<string, ProviderSession>([["pve", session]]);
      const [observed, capacity] = await Promise.all([observeAll(sessions, desired, emptyState()), readCapacity(sessions, desired)]);
      const p = plan({ stack: STACK, desired, observed, state: emptyState(), providers: new Map([["pve", proxmoxProvider]]), capacity, options: { allowMassDelete: true } });
      const big = p.steps.find((s) => s.address === "VirtualMachine/cap-big")!;
      expect(big).toMatchObject({ blocked: true, reasonCode: "blocked-capacity" });
      expect(big.reason).toBe("does not fit: node pve1 memory needs 200GiB, 124GiB free of 128GiB (204GiB after the plan)");
      expect(p.errors).toContain(`VirtualMachine/cap-big: ${big.reason}`);
      expect(p.steps.find((s) => s.address === "VirtualMachine/cap-small")).toMatchObject({ action: "create" });
      const mem = p.capacity!.find((l) => l.pool === "node/pve1/memory")!;
      expect(mem).toMatchObject({ status: "over", used: 4 * GIB, needed: 2 * GIB, after: 6 * GIB, steps: ["VirtualMachine/cap-small"] });
    } finally {
      await session.close();
      await w.write({ "big.yaml": "", "small.yaml": "" });
    }
  });

  it("counts what running containers commit, and blocks a container whose root volume does not fit its storage", async () => {
    const ct = (name: string, extra: string) => `apiVersion: vmsync.io/v1\nkind: Container\nmetadata: { name: ${name} }\nspec:\n  provider: pve\n  ostemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst\n${extra}`;
    await w.write({ "ct.yaml": ct("cap-ct", "  memory: 1GiB\n  cores: 2\n  rootfs: { size: 8GiB }\n") });
    let desired = await w.load();
    let session = await connect(w, desired);
    try {
      await createOne(session, desired, "Container/cap-ct");
      const pools = new Map((await session.capacity()).map((p) => [p.key, p]));
      expect(pools.get("node/pve1/memory")).toMatchObject({ used: 5 * GIB });
      expect(pools.get("node/pve1/cores")).toMatchObject({ used: 6 });
    } finally {
      await session.close();
    }
    await w.write({ "huge.yaml": ct("cap-huge", "  memory: 1GiB\n  rootfs: { size: 900TiB }\n") });
    desired = await w.load();
    session = await connect(w, desired);
    try {
      const sessions = new Map<string, ProviderSession>([["pve", session]]);
      const [observed, capacity] = await Promise.all([observeAll(sessions, desired, emptyState()), readCapacity(sessions, desired)]);
      const p = plan({ stack: STACK, desired, observed, state: emptyState(), providers: new Map([["pve", proxmoxProvider]]), capacity, options: { allowMassDelete: true } });
      const huge = p.steps.find((s) => s.address === "Container/cap-huge")!;
      expect(huge).toMatchObject({ blocked: true, reasonCode: "blocked-capacity" });
      expect(huge.reason).toMatch(/^does not fit: storage local-lvm on pve1 needs 900TiB, /);
    } finally {
      await session.close();
      await w.write({ "ct.yaml": "", "huge.yaml": "" });
    }
  });
});
