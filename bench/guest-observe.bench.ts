import { bench, describe } from "vitest";
import { connectProviders } from "../src/cli/connect.js";
import { GuestSession } from "../src/guest/session.js";
import { observeAll, providersInUse } from "../src/reconcile/observe.js";
import { guestYaml, providersYaml, startGuestWorld, STACK } from "../test/integration/guest/world.js";

/**
 * Reading N simulated guests over SSH (through the simulators' bastion, three commands per guest on
 * one connection each) after the provider's bulk observe: the whole two-phase observation with the
 * guest layer reading 1 guest at a time versus its default of 16 at once. Compare the ratio.
 */
const N = Number(process.env.VMSYNC_BENCH_GUESTS ?? 24);
const w = await startGuestWorld();
const vms = Array.from({ length: N }, (_, i) => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: g${i} }
spec:
  provider: pve
  memory: 512MiB
  disks: [{ size: 1GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ubuntu }
${guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, "    mounts:\n      - { share: media, path: /mnt/media }\n")}`);
await w.write({
  "providers.yaml": providersYaml({ proxmox: w.env.VMSYNC_SIM_PROXMOX_ENDPOINT!, truenas: w.env.VMSYNC_SIM_TRUENAS_ENDPOINT!, azure: w.env.VMSYNC_SIM_AZURE_ENDPOINT! }),
  "share.yaml": "apiVersion: vmsync.io/v1\nkind: NfsShare\nmetadata: { name: media }\nspec: { provider: nas, size: 10GiB }\n",
  "vms.yaml": vms.join("---\n"),
});
const applied = await w.reconcile({ apply: true });
if (applied.events.some((e) => e.type === "step.failed")) throw new Error("the bench fleet did not apply");
const desired = await w.load();
const state = await w.store.read();

async function observeWith(concurrency: number): Promise<void> {
  const conn = await connectProviders(providersInUse(desired, state).filter((p) => p !== "guest"), desired, { stack: STACK, env: w.env });
  conn.sessions.set("guest", new GuestSession({ stack: STACK, desired, sessions: conn.sessions, env: w.env, concurrency }));
  try {
    const observed = await observeAll(conn.sessions, desired, state);
    const guests = observed.get("guest") ?? [];
    if (guests.length !== N || guests.some((g) => g.error)) throw new Error(`observed ${guests.length} guests of ${N}`);
  } finally {
    await conn.close();
  }
}

describe(`observe ${N} guests over SSH`, () => {
  bench("one guest at a time", () => observeWith(1), { iterations: 3, warmupIterations: 1 });
  bench("16 guests at once (default)", () => observeWith(16), { iterations: 3, warmupIterations: 1, teardown: async () => undefined });
});
