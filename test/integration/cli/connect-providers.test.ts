/**
 * When one provider cannot be connected, connectProviders cancels the others and returns only once
 * every attempt has ended (found by the fault soak: the CLI had printed its error while another
 * provider was still connecting, and the process lingered). Against the Proxmox simulator with
 * latency, next to a TrueNAS provider whose endpoint variable is missing.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectProviders } from "../../../src/cli/connect.js";
import { loadManifests } from "../../../src/manifest/load.js";
import { startProxmoxSim, type ProxmoxSimHandle } from "../../../src/sim/proxmox/index.js";
import { providerYaml } from "../../helpers/fleet.js";

let dir: string;
let sim: ProxmoxSimHandle;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-connect-"));
  sim = await startProxmoxSim({ dir: join(dir, "sim"), port: 0, knobs: { latencyMs: 300 } });
  await writeFile(join(dir, "providers.yaml"), `${providerYaml("pve")}---\n${providerYaml("nas")}`);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

it("one provider fails: the others are cancelled and have ended before the error is thrown", async () => {
  const { desired } = await loadManifests([dir], dir);
  const env = { PVE_ENDPOINT: sim.endpoint, PVE_CA: sim.caFile, PVE_TOKEN_ID: sim.credentials.tokenId!, PVE_TOKEN_SECRET: sim.credentials.tokenSecret!, NAS_CA: sim.caFile, NAS_KEY: "1-x" };
  const requests: Array<{ at: number; error?: string }> = [];
  const err = await connectProviders(["pve", "nas"], desired, { stack: "s", env, onRequest: (r) => requests.push({ at: Date.now(), ...(r.error ? { error: r.error } : {}) }) }).catch((e: unknown) => e);
  const returnedAt = Date.now();
  expect((err as Error).message).toMatch(/NAS_ENDPOINT is not set/);
  await new Promise((r) => setTimeout(r, 800)); // anything still running would report its request now
  expect(requests.length).toBeGreaterThan(0); // Proxmox had started connecting
  expect(requests.every((r) => r.at <= returnedAt)).toBe(true);
});

it("many requests in flight on one session's signal print no listener-leak warning", async () => {
  // found in the scale benchmark: a cold plan of 16 Proxmox nodes (16 list reads at once) printed
  // Node's MaxListenersExceededWarning, because each axios request listens to the session's signal
  const big = await startProxmoxSim({ dir: join(dir, "sim16"), port: 0, clusterResourcesLagMs: 0, nodes: Array.from({ length: 16 }, (_, i) => `pve${i + 1}`) });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  try {
    const { desired } = await loadManifests([join(dir, "providers.yaml")], dir);
    const env = { PVE_ENDPOINT: big.endpoint, PVE_CA: big.caFile, PVE_TOKEN_ID: big.credentials.tokenId!, PVE_TOKEN_SECRET: big.credentials.tokenSecret! };
    const connections = await connectProviders(["pve"], desired, { stack: "s", env });
    big.setKnobs({ latencyMs: 50 }); // so that the 16 node lists are in flight together
    await connections.sessions.get("pve")!.observe({ kinds: ["VirtualMachine", "Container", "NfsShare"], externalIds: [], names: [] });
    await connections.close();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    expect(big.requests()["GET /nodes/{node}/qemu"]).toBe(16);
    expect(warnings).toEqual([]);
  } finally {
    process.off("warning", onWarning);
    await big.close();
  }
});
