import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allGuests, createOne, connect, providerYaml, startWorld, vmYaml, type World } from "./helpers.js";

describe("proxmox provider: many VMs created at once", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
    await w.write({ "pve.yaml": providerYaml({ concurrency: 5 }), "fleet.yaml": vmYaml("node", "  replicas: 20\n  memory: 256MiB\n  disks: [{ size: 1GiB }]\n  networks: [{}]\n  power: stopped\n") });
  });
  afterAll(async () => w.stop());

  it("allocates distinct VMIDs for 20 concurrent creates (5 in flight), with no duplicates", async () => {
    const desired = await w.load();
    const session = await connect(w, desired);
    const addresses = Array.from({ length: 20 }, (_, i) => `VirtualMachine/node-${i + 1}`);
    const queue = [...addresses];
    const made: string[] = [];
    await Promise.all(Array.from({ length: 5 }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) made.push((await createOne(session, desired, a)).externalId);
    }));
    await session.close();
    expect(new Set(made).size).toBe(20);
    const guests = await allGuests(w);
    expect(guests).toHaveLength(20);
    expect(new Set(guests.map((g) => g.vmid)).size).toBe(20);
    expect(new Set(guests.map((g) => g.name)).size).toBe(20);
  });
});
