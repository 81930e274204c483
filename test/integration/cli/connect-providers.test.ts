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
