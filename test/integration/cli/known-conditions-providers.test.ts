/**
 * Provider conditions the CLI understands are plain errors with a hint (exit 1), never "a bug":
 * refused credentials, an untrusted certificate, a certificate for another host and a closed port,
 * on each of the three providers, against the real simulators over real sockets. The CLI runs
 * in-process with captured output.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAllSims } from "../../../src/sim/run-all.js";
import { startAzureSim } from "../../../src/sim/azure/index.js";
import { startProxmoxSim } from "../../../src/sim/proxmox/index.js";
import { startTruenasSim } from "../../../src/sim/truenas/index.js";
import type { SimHandle } from "../../../src/sim/handle.js";
import { FLEET_PROVIDERS, FLEET_VARS, providerYaml, simEnv, vmYaml, type FleetProvider } from "../../helpers/fleet.js";
import { runCli } from "../../helpers/cli.js";
import { runInProcess, type InProcessRun } from "../state-postgres/cli-io.js";

let dir: string;
let env: Record<string, string>;
let ca: Record<FleetProvider, string>;
const extra: SimHandle[] = [];
let closeSims: () => Promise<void>;

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A certificate for another host name only, placed where a simulator keeps its own. */
async function foreignCertificate(simDir: string, file: string): Promise<void> {
  const pems = await generate([{ name: "commonName", value: "other.example.test" }], {
    keyType: "ec", curve: "P-256",
    extensions: [{ name: "basicConstraints", cA: true }, { name: "subjectAltName", altNames: [{ type: 2, value: "other.example.test" }] }],
  });
  await mkdir(simDir, { recursive: true });
  await writeFile(join(simDir, `${file}.key`), pems.private);
  await writeFile(join(simDir, `${file}.crt`), pems.cert);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-known-"));
  const sims = await startAllSims({ dir: join(dir, "sims"), ports: { proxmox: 0, truenas: 0, azure: 0, guest: 0 }, knobs: { taskDurationMs: 5 } });
  closeSims = sims.close;
  env = simEnv(sims.announcement);
  ca = { pve: env.PVE_CA!, nas: env.NAS_CA!, cloud: env.AZ_CA! };
  for (const p of FLEET_PROVIDERS) {
    await mkdir(join(dir, p));
    await writeFile(join(dir, p, "fleet.yaml"), `${providerYaml(p)}---\n${vmYaml({ name: `${p}-vm`, provider: p, memory: 512, cores: 1 })}`);
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(extra.map((s) => s.close()));
  await closeSims?.();
  await rm(dir, { recursive: true, force: true });
});

const plan = (p: FleetProvider, over: Record<string, string>) => runInProcess(["plan", join(dir, p), "--no-color"], { cwd: dir, env: { ...env, ...over } });

function expectPlainError(r: InProcessRun, hint: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(hint);
  expect(r.stderr).not.toMatch(/internal error|a bug in vmsync|github\.com/);
}

describe.each(FLEET_PROVIDERS)("provider %s", (p) => {
  const vars = FLEET_VARS[p];

  it("works with the right settings (the baseline of the cases below)", async () => {
    const r = await plan(p, {});
    expect(r.code, r.stderr).toBe(0);
  });

  it("wrong credentials: error with the credentials hint", async () => {
    const r = await plan(p, { [vars.secret]: p === "nas" ? "1-0123456789abcdef" : "wrong-secret" });
    expectPlainError(r, /hint: Check spec\.auth of the Provider/);
    expect(r.stderr).not.toContain("wrong-secret");
  });

  it("as a process: a refused login leaves nothing open (the process ends by itself)", async () => {
    const r = await runCli(["plan", join(dir, p), "--no-color"], { cwd: dir, env: { ...env, [vars.secret]: p === "nas" ? "1-0123456789abcdef" : "wrong-secret" }, timeoutMs: 30_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain("still running"); // bin/vmsync.js's last resort against a leaked socket
  });

  it("a CA that did not sign the server's certificate: error with the caFile hint", async () => {
    const other = p === "pve" ? ca.nas : ca.pve;
    const r = await plan(p, { [vars.ca]: other });
    expectPlainError(r, /hint: The server's certificate is not trusted: .*spec\.tls\.caFile/);
  });

  it("a closed port: error with the reachability hint", async () => {
    const endpoint = new URL(env[vars.endpoint]!);
    endpoint.port = String(await closedPort());
    const r = await plan(p, { [vars.endpoint]: endpoint.toString().replace(/\/$/, "") });
    expectPlainError(r, /hint: Check spec\.endpoint \(host and port\), that the service is running/);
  });

  it("a certificate naming another host: error with the serverName hint", async () => {
    const simDir = join(dir, `foreign-${p}`);
    const start = { pve: () => startProxmoxSim({ dir: simDir, port: 0 }), nas: () => startTruenasSim({ dir: simDir, port: 0 }), cloud: () => startAzureSim({ dir: simDir, port: 0 }) }[p];
    await foreignCertificate(simDir, { pve: "proxmox-sim", nas: "truenas", cloud: "azure-sim" }[p]);
    const sim = await start();
    extra.push(sim);
    const r = await plan(p, { [vars.endpoint]: sim.endpoint, [vars.ca]: sim.caFile });
    expectPlainError(r, /hint: The server's certificate does not name the host in spec\.endpoint: .*spec\.tls\.serverName/);
  });
});
