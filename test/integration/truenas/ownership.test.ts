import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { connect, op, resource, startSim, type Sim } from "./helpers.js";

/** The session refuses to update or delete a VM whose marker names another stack or address. */
describe("TrueNAS ownership checks in the session", () => {
  let h: Sim;
  let s: ProviderSession;
  let config: Awaited<ReturnType<typeof connect>>["config"];
  beforeAll(async () => {
    h = await startSim("25.10.1");
    ({ session: s, config } = await connect(h));
  });
  afterAll(async () => {
    await s.close();
    await h.dispose();
  });

  it("refuses update and delete for a VM that belongs to another address", async () => {
    const r = resource("VirtualMachine", "owned-1", { provider: "nas", memory: "512MiB", disks: [{ size: "1GiB" }], networks: [{ bridge: "br0" }], power: "stopped" });
    const spec = P.canonicalize(r, config);
    const made = await s.create({ address: r.address, kind: "VirtualMachine", name: "owned_1", spec, marker: { stack: "test", address: r.address } }, op());
    const other = { stack: "test", address: "VirtualMachine/someone-else" };
    await expect(s.update({ address: other.address, kind: "VirtualMachine", externalId: made.externalId, spec: { ...spec, memory: 1024 }, changes: [{ path: "memory", before: 512, after: 1024, effect: "restart" }], marker: other }, op()))
      .rejects.toMatchObject({ code: "TRUENAS_CONFLICT", retryable: false });
    await expect(s.delete({ address: other.address, kind: "VirtualMachine", externalId: made.externalId }, op())).rejects.toMatchObject({ retryable: false });
    expect(((await h.admin("vm.query", [[["name", "=", "owned_1"]]])) as Array<{ memory: number }>)[0]!.memory).toBe(512);
  });
});
