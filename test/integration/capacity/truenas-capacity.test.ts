import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { CASES, connect, op, resource, startSim, type Sim } from "../truenas/helpers.js";

const GIB = 1024 ** 3;

/** The TrueNAS capacity read (system.info, vm.query, pool.query, pool.dataset.query) against the simulator, in every dialect. */
describe.each(CASES)("TrueNAS %s (%s) capacity", (version, transport) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim(version);
  });
  afterAll(async () => sim?.dispose());

  it("host memory of VMs set to run and the pool's zvol space", async () => {
    const { session, config, requests } = await connect(sim, { transport });
    try {
      const before = new Map((await session.capacity!({ kinds: ["VirtualMachine"], externalIds: [], names: [] })).map((p) => [p.key, p]));
      const vm = resource("VirtualMachine", "cap-1", { provider: "nas", memory: "3GiB", power: "running", disks: [{ size: "20GiB" }] });
      await session.create({ address: vm.address, kind: "VirtualMachine", name: "cap_1", spec: P.canonicalize(vm, config), marker: { stack: "test", address: vm.address } }, op());
      const after = new Map((await session.capacity!({ kinds: ["VirtualMachine"], externalIds: [], names: [] })).map((p) => [p.key, p]));
      expect(after.get("host/memory")).toMatchObject({ unit: "bytes", total: 1024 * GIB, physical: 1024 * GIB, used: before.get("host/memory")!.used + 3 * GIB });
      const tank = after.get("pool/tank")!;
      expect(tank).toMatchObject({ label: "pool tank", unit: "bytes", total: 100 * 1024 * GIB });
      expect(tank.used - before.get("pool/tank")!.used).toBe(20 * GIB);
      expect(requests).toEqual(expect.arrayContaining(["system.info", "vm.query", "pool.query", "pool.dataset.query"]));
      expect(P.demand!("VirtualMachine", P.canonicalize(vm, config), config)).toEqual([{ pool: "host/memory", amount: 3 * GIB }, { pool: "pool/tank", amount: 20 * GIB }]);
    } finally {
      await session.close();
    }
  });
});
