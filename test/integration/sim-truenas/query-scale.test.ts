import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcClient } from "./client.js";
import { sim } from "./setup.js";

type Sim = Awaited<ReturnType<typeof sim>>;

describe("query methods over a large pool (rendering only the rows filters can match)", () => {
  let h: Sim;
  let c: RpcClient;
  beforeAll(async () => {
    h = await sim("25.10.1", { poolSizeBytes: 2 ** 50 });
    for (let i = 0; i < 300; i++) {
      await h.admin("pool.dataset.create", [{ name: `tank/vm${i}`, comments: `vm ${i}` }]);
      await h.admin("pool.dataset.create", [{ name: `tank/vm${i}/disk0`, type: "VOLUME", volsize: 2 ** 30, sparse: i % 2 === 1 }]);
      await h.admin("vm.create", [{ name: `vm${i}`, memory: 256 }]);
    }
    c = await RpcClient.connect(h);
    await c.login(h);
  });
  afterAll(async () => {
    c.close();
    await h.dispose();
  });

  it("pool.dataset.query: the same rows and space figures with and without narrowing filters", async () => {
    const all = (await c.ok("pool.dataset.query", [[], { extra: { properties: ["used", "available", "volsize"] } }])) as Array<Record<string, { parsed: number } & Record<string, unknown>>>;
    expect(all).toHaveLength(601); // tank + 300 filesystems + 300 zvols
    const byId = new Map(all.map((d) => [d.id as unknown as string, d]));
    expect(byId.get("tank")!.used!.parsed).toBe(150 * 2 ** 30); // only the 150 non-sparse zvols reserve space
    expect(byId.get("tank/vm2")!.used!.parsed).toBe(2 ** 30);
    expect(byId.get("tank/vm3")!.used!.parsed).toBe(0);
    expect(byId.get("tank/vm3")!.available!.parsed).toBe(2 ** 50 - 150 * 2 ** 30);
    const some = (await c.ok("pool.dataset.query", [[["id", "in", ["tank/vm7", "tank/vm7/disk0", "tank/nope"]], ["type", "=", "VOLUME"]], { extra: { properties: ["used"] } }])) as Array<Record<string, unknown>>;
    expect(some.map((d) => d.id)).toEqual(["tank/vm7/disk0"]);
    expect(some[0]!.used).toEqual(byId.get("tank/vm7/disk0")!.used);
    const under = (await c.ok("pool.dataset.query", [[["id", "^", "tank/vm12/"]]])) as Array<Record<string, unknown>>;
    expect(under.map((d) => d.id)).toEqual(["tank/vm12/disk0"]);
  });

  it("vm.query: an id or name filter finds exactly that VM, combined with other filters", async () => {
    const byName = (await c.ok("vm.query", [[["name", "=", "vm42"]]])) as Array<Record<string, unknown>>;
    expect(byName.map((v) => v.name)).toEqual(["vm42"]);
    const byId = (await c.ok("vm.query", [[["id", "=", byName[0]!.id], ["name", "=", "vm43"]]])) as unknown[];
    expect(byId).toEqual([]);
    expect(((await c.ok("vm.query", [[["id", "in", [byName[0]!.id]]]])) as unknown[]).length).toBe(1);
    expect(((await c.ok("vm.query", [])) as unknown[]).length).toBe(300);
  });
});
