/**
 * A provider that cannot be found (DNS) or accepts connections but never answers is "unreachable"
 * — a plain error with the reachability hint, told by error codes — and never a hang: each client
 * gives up after its timeout (shortened here) with a transient error.
 */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFailure } from "../../../src/cli/known-failures.js";
import { ProxmoxApi } from "../../../src/providers/proxmox/api-client.js";
import { Connection } from "../../../src/providers/truenas/connection.js";
import { FLEET_PROVIDERS, providerYaml, vmYaml } from "../../helpers/fleet.js";
import { runInProcess } from "../state-postgres/cli-io.js";

let silent: Server;
const sockets = new Set<Socket>();
let port: number;
let dir: string;

beforeAll(async () => {
  // accepts TCP connections, reads whatever comes, never answers (not even the TLS handshake)
  silent = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
    s.resume();
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  port = (silent.address() as { port: number }).port;
  dir = await mkdtemp(join(tmpdir(), "vmsync-unreach-"));
  await writeFile(join(dir, "ca.pem"), (await generate([{ name: "commonName", value: "localhost" }], { keyType: "ec", curve: "P-256" })).cert);
  for (const p of FLEET_PROVIDERS) {
    await mkdir(join(dir, p));
    await writeFile(join(dir, p, "fleet.yaml"), `${providerYaml(p)}---\n${vmYaml({ name: `${p}-vm`, provider: p, memory: 512, cores: 1 })}`);
  }
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const secrets = { PVE_TOKEN_ID: "root@pam!x", PVE_TOKEN_SECRET: "s", NAS_KEY: "1-k", AZ_SUB: "00000000-0000-0000-0000-000000000000", AZ_TOKEN: "t", PVE_CA: "../ca.pem", NAS_CA: "../ca.pem", AZ_CA: "../ca.pem" };

describe("unreachable providers", () => {
  it.each(FLEET_PROVIDERS)("%s: a host name that does not resolve is a plain error with the reachability hint", async (p) => {
    const endpoint = p === "nas" ? "wss://vmsync-test.invalid:443" : "https://vmsync-test.invalid:443";
    const r = await runInProcess(["plan", join(dir, p), "--no-color"], { cwd: dir, env: { ...secrets, PVE_ENDPOINT: endpoint, NAS_ENDPOINT: endpoint, AZ_ENDPOINT: endpoint } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: .*vmsync-test\.invalid/m);
    expect(r.stderr).toMatch(/hint: Check spec\.endpoint \(host and port\)/);
    expect(r.stderr).not.toMatch(/internal error|a bug in vmsync/);
  });

  it("Azure: a server that never answers times out (VMSYNC_AZURE_REQUEST_TIMEOUT_MS) and is reported as unreachable", async () => {
    const r = await runInProcess(["plan", join(dir, "cloud"), "--no-color"], { cwd: dir, env: { ...secrets, AZ_ENDPOINT: `https://127.0.0.1:${port}`, VMSYNC_AZURE_REQUEST_TIMEOUT_MS: "300" } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: connect to Azure .*no answer from 127\.0\.0\.1:\d+ within 0\.3 s/m);
    expect(r.stderr).toMatch(/hint: Check spec\.endpoint/);
  });

  it("Proxmox: a request that is never answered times out with a transient error classified as unreachable", async () => {
    const api = new ProxmoxApi({ endpoint: `https://127.0.0.1:${port}`, rateLimit: 100, providerName: "pve", timeoutMs: 300 });
    try {
      const err = await api.get("/version", undefined, { retries: 0 }).catch((e: unknown) => e);
      expect((err as { retryable?: boolean }).retryable).toBe(true);
      expect(describeFailure(err)?.kind).toBe("unreachable");
    } finally {
      api.close();
    }
  });

  it("TrueNAS: a websocket whose handshake is never answered times out with a transient error classified as unreachable", async () => {
    const err = await Connection.open(`wss://127.0.0.1:${port}`, "jsonrpc", {}, () => {}, 300).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no answer from wss:\/\/127\.0\.0\.1:\d+\/api\/current within 0\.3 s/);
    expect((err as { retryable?: boolean }).retryable).toBe(true);
    expect(describeFailure(err)?.kind).toBe("unreachable");
  });
});
