import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { TruenasClient } from "../../../src/providers/truenas/client.js";
import { readFileSync } from "node:fs";
import { connect, envOf, op, providerOf, resource, startSim, type Sim } from "./helpers.js";

const scope = { kinds: ["VirtualMachine" as const, "NfsShare" as const, "SnapshotSchedule" as const], externalIds: [], names: [] };

describe("transport selection, auth and TLS", () => {
  let old: Sim;
  let cur: Sim;
  beforeAll(async () => {
    [old, cur] = await Promise.all([startSim("24.10.2"), startSim("25.10.1")]);
  });
  afterAll(async () => {
    await Promise.all([old.dispose(), cur.dispose()]);
  });

  it("auto speaks JSON-RPC to 25.10 and falls back to the legacy protocol on 24.10", async () => {
    const a = await connect(cur);
    const b = await connect(old);
    const paths: string[] = [];
    const c = await P.connect(providerOf(cur, { transport: "legacy" }), { stack: "t", env: envOf(cur), onRequest: (r) => paths.push(r.path) });
    await Promise.all([a.session.observe(scope), b.session.observe(scope), c.observe(scope)]);
    expect(a.requests).toContain("system.version");
    expect(new Set(paths)).toEqual(new Set(["/websocket"]));
    await Promise.all([a.session.close(), b.session.close(), c.close()]);
  });

  it("refuses JSON-RPC on 24.10 with a clear, permanent error", async () => {
    await expect(P.connect(providerOf(old, { transport: "jsonrpc" }), { stack: "t", env: envOf(old) })).rejects.toMatchObject({
      retryable: false, message: expect.stringMatching(/^cannot connect to truenas nas: .*has no JSON-RPC API/),
    });
  });

  it("logs in with a username and password", async () => {
    const { session } = await connect(old, { password: true });
    await session.observe(scope);
    await session.close();
  });

  it("a refused API key is a permanent error that does not contain the key", async () => {
    const env = { ...envOf(cur), NAS_API_KEY: "1-wrongwrongwrong" };
    const err = await P.connect(providerOf(cur), { stack: "t", env }).catch((e: Error) => e);
    expect(err).toMatchObject({ retryable: false, message: "cannot connect to truenas nas: TrueNAS refused the API key" });
    expect(String((err as Error).message)).not.toContain("wrongwrong");
  });

  it("verifies TLS: without the simulator's CA the connection fails; plain ws:// is refused", async () => {
    const cfg = providerOf(cur);
    const noCa = { ...cfg, spec: { ...cfg.spec, tls: {} } } as typeof cfg;
    await expect(P.connect(noCa, { stack: "t", env: envOf(cur) })).rejects.toMatchObject({ message: expect.stringMatching(/certificate|self.signed|verify/i) });
    const plain = { ...envOf(cur), NAS_ENDPOINT: cur.endpoint.replace("wss:", "ws:") };
    await expect(P.connect(cfg, { stack: "t", env: plain })).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/is not TLS/) });
  });

  it.each([["24.10.2"], ["25.10.1"]])("%s: reconnects after a dropped socket and logs in again after the session expires", async (version) => {
    const h = version.startsWith("24") ? old : cur;
    const { session, requests } = await connect(h);
    await session.observe(scope);
    h.dropConnections();
    await session.observe(scope);
    h.expireSessions();
    await session.observe(scope);
    expect(requests.filter((m) => m.startsWith("auth.login")).length).toBe(3);
    await session.close();
  });

  it("keeps calls in flight under the server's limit and honours the request rate", async () => {
    const client = await TruenasClient.connect({ name: "nas", base: cur.endpoint, transport: "auto", tls: { ca: [readFileSync(cur.caFile, "utf8")] }, credentials: { apiKey: cur.credentials.apiKey }, rateLimit: 1000 });
    cur.setKnobs({ latencyMs: 20 });
    const results = await Promise.all(Array.from({ length: 60 }, () => client.call("system.version")));
    expect(results.every((r) => typeof r === "string")).toBe(true);
    cur.setKnobs({ latencyMs: 0 });
    await client.close();
    const slow = await TruenasClient.connect({ name: "nas", base: cur.endpoint, transport: "auto", tls: { ca: [readFileSync(cur.caFile, "utf8")] }, credentials: { apiKey: cur.credentials.apiKey }, rateLimit: 20 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, () => slow.call("system.version")));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await slow.close();
  });

  it("classifies errors: validation is permanent and keeps TrueNAS's text after what was being done", async () => {
    const { session, config } = await connect(cur);
    const r = resource("VirtualMachine", "bad", { provider: "nas", memory: "1GiB", disks: [{ size: "1GiB" }], networks: [{ bridge: "nosuchbridge" }] });
    await expect(session.create({ address: r.address, kind: "VirtualMachine", name: "bad", spec: P.canonicalize(r, config), marker: { stack: "t", address: r.address } }, op())).rejects.toMatchObject({
      retryable: false, code: "TRUENAS_VALIDATION", message: expect.stringMatching(/^cannot create truenas vm bad: vm\.device\.create: .*nic_attach.*Not a valid choice/),
    });
    await session.close();
  });
});
