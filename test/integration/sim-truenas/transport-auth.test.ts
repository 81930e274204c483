import { readFileSync } from "node:fs";
import { request } from "node:https";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyClient, RpcClient } from "./client.js";
import { sim } from "./setup.js";

type Sim = Awaited<ReturnType<typeof sim>>;

function httpGet(h: Sim, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(h.endpoint.replace("wss:", "https:") + path);
  return new Promise((resolve, reject) => {
    request(url, { ca: readFileSync(h.caFile) }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("25.10 transports and auth", () => {
  let h: Sim;
  beforeAll(async () => {
    h = await sim("25.10.1");
  });
  afterAll(() => h.dispose());

  it("legacy handshake: failed before connect and on a bad version; ping/pong without auth", async () => {
    const c = await LegacyClient.connect(h, false);
    c.send(JSON.stringify({ id: "x", msg: "method", method: "core.ping" }));
    expect(await c.waitFrame((m) => m.msg === "failed")).toEqual({ msg: "failed", version: "1" });
    c.send(JSON.stringify({ msg: "connect", version: "2", support: ["2"] }));
    await c.waitFrame((m, ) => c.frames.filter((f) => f.msg === "failed").length === 2);
    c.send(JSON.stringify({ msg: "connect", version: "1", support: ["1"] }));
    const connected = await c.waitFrame((m) => m.msg === "connected");
    expect(connected.session).toMatch(/^[0-9a-f-]{36}$/);
    c.send(JSON.stringify({ msg: "ping", id: "p1" }));
    expect(await c.waitFrame((m) => m.msg === "pong")).toEqual({ msg: "pong", id: "p1" });
    const bad = await new Promise<any>((resolve) => {
      c.ws.on("message", (d) => {
        const m = JSON.parse(d.toString());
        if (m.id === "np") resolve(m);
      });
      c.send(JSON.stringify({ id: "np", msg: "method", method: "core.ping", params: { a: 1 } }));
    });
    expect(bad.error).toMatchObject({ error: 22, errname: "EINVAL", reason: "`params` must be a list." });
    c.close();
  });

  it("JSON-RPC: parse error, invalid request, notifications, unknown method", async () => {
    const c = await RpcClient.connect(h);
    c.send("{nope");
    const pe = await c.waitFrame((m) => m.error?.code === -32700);
    expect(pe.id).toBeNull();
    c.send(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "core.ping", params: {} }));
    expect((await c.waitFrame((m) => m.id === 7)).error).toEqual({ code: -32600, message: "'params' member must be of type array" });
    c.send(JSON.stringify({ jsonrpc: "1.0", id: 8, method: "core.ping" }));
    expect((await c.waitFrame((m) => m.id === 8)).error.code).toBe(-32600);
    c.send(JSON.stringify({ jsonrpc: "2.0", method: "core.ping" }));
    expect(await c.call("core.ping")).toEqual({ result: "pong" });
    expect(c.frames.filter((f) => f.result === "pong")).toHaveLength(1);
    expect((await c.call("virt.instance.query")).error).toEqual({ code: -32601, message: "Method does not exist" });
    expect((await c.call("zfs.snapshot.create", [{}])).error).toEqual({ code: -32601, message: "Method does not exist" });
    c.close();
  });

  it("legacy unknown method → ENOMETHOD 201", async () => {
    const c = await LegacyClient.connect(h);
    await c.login(h);
    const r = await c.call("virt.instance.query");
    expect(r.error).toMatchObject({ error: 201, errname: "ENOMETHOD", type: null, reason: "[ENOMETHOD] Service 'virt.instance' not found" });
    expect((await c.call("vm.frobnicate")).error!.reason).toBe("[ENOMETHOD] Method 'frobnicate' not found in 'vm'");
    c.close();
  });

  it("unauthenticated calls fail with 207 on both transports (25.x shape)", async () => {
    const r = await RpcClient.connect(h);
    const e = (await r.call("vm.query")).error!;
    expect(e.code).toBe(-32001);
    expect(e.message).toBe("Method call error");
    expect(e.data).toMatchObject({ error: 207, errname: "ENOTAUTHENTICATED", reason: "[ENOTAUTHENTICATED] Not authenticated", extra: null });
    const l = await LegacyClient.connect(h);
    expect((await l.call("vm.query")).error).toMatchObject({ error: 207, errname: "ENOTAUTHENTICATED", type: null });
    r.close();
    l.close();
  });

  it("login variants: password, API key, login_ex (password / key / AUTH_ERR), token; failures return false", async () => {
    const c = await RpcClient.connect(h);
    expect(await c.ok("auth.login", [h.credentials.username, "wrong"])).toBe(false);
    expect(await c.ok("auth.login_with_api_key", ["1-deadbeef"])).toBe(false);
    expect(await c.ok("auth.login", [h.credentials.username, h.credentials.password])).toBe(true);
    expect((await c.ok("auth.me")).pw_name).toBe(h.credentials.username);
    const token = await c.ok("auth.generate_token", [60]);
    expect(await c.ok("auth.logout")).toBe(true);
    expect((await c.call("auth.me")).error!.data.error).toBe(207);
    expect(await c.ok("auth.login_with_token", [token])).toBe(true);
    await c.ok("auth.logout");

    const d = await RpcClient.connect(h);
    expect(await d.ok("auth.mechanism_choices")).toContain("API_KEY_PLAIN");
    const missing = (await d.call("auth.login_ex", [{ mechanism: "API_KEY_PLAIN", api_key: h.credentials.apiKey }])).error!;
    expect(missing.code).toBe(-32602);
    expect(missing.data.extra).toEqual([["login_data.username", "Field required", 22]]);
    expect(await d.ok("auth.login_ex", [{ mechanism: "API_KEY_PLAIN", username: "someone", api_key: h.credentials.apiKey }])).toEqual({ response_type: "AUTH_ERR" });
    const ok = await d.ok("auth.login_ex", [{ mechanism: "API_KEY_PLAIN", username: h.credentials.username, api_key: h.credentials.apiKey, login_options: { user_info: false } }]);
    expect(ok).toEqual({ response_type: "SUCCESS", user_info: null, authenticator: "LEVEL_1" });
    const e = await RpcClient.connect(h);
    const pw = await e.ok("auth.login_ex", [{ mechanism: "PASSWORD_PLAIN", username: h.credentials.username, password: h.credentials.password }]);
    expect(pw.response_type).toBe("SUCCESS");
    expect(pw.user_info.pw_name).toBe(h.credentials.username);
    c.close();
    d.close();
    e.close();
  });

  it("rate-limits unauthenticated calls per method with EBUSY", async () => {
    const r = await sim("25.10.1", { rateLimit: { max: 3 } });
    const c = await RpcClient.connect(r);
    for (let i = 0; i < 3; i++) expect(await c.ok("auth.login", ["x", "y"])).toBe(false);
    const e = (await c.call("auth.login", ["x", "y"])).error!;
    expect(e).toMatchObject({ code: -32001, data: { error: 16, errname: "EBUSY", reason: "[EBUSY] Rate Limit Exceeded" } });
    expect(await c.ok("core.ping")).toBe("pong");
    expect(await c.ok("auth.login_with_api_key", [r.credentials.apiKey])).toBe(true);
    c.close();
    await r.dispose();
  });

  it("closes an anonymous connection on a frame over 8 KiB (1007) and an authenticated one over 64 KiB (1009)", async () => {
    const a = await RpcClient.connect(h);
    a.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "core.ping", params: ["x".repeat(9000)] }));
    expect(await a.closed).toEqual({ code: 1007, reason: "Anonymous connection max message length is 8 kB" });
    const b = await LegacyClient.connect(h);
    await b.login(h);
    expect((await b.call("core.ping", ["x".repeat(20000)])).result).toBe("pong");
    b.send(JSON.stringify({ id: 1, msg: "method", method: "core.ping", params: ["x".repeat(70000)] }));
    expect(await b.closed).toEqual({ code: 1009, reason: "Max message length is 64 kB" });
  });

  it("refuses the 21st in-flight call on one connection (-32000 / ETOOMANYREFS)", async () => {
    h.setKnobs({ latencyMs: 150 });
    try {
      const r = await RpcClient.connect(h);
      await r.login(h);
      const replies = await Promise.all(Array.from({ length: 25 }, () => r.call("system.version")));
      const refused = replies.filter((x) => x.error);
      expect(refused).toHaveLength(5);
      expect(refused[0]!.error).toEqual({ code: -32000, message: "Maximum number of concurrent calls (20) has exceeded" });
      const l = await LegacyClient.connect(h);
      await l.login(h);
      const lr = await Promise.all(Array.from({ length: 22 }, () => l.call("system.version")));
      expect(lr.filter((x) => x.error)[0]!.error).toEqual({
        error: 109, errname: "ETOOMANYREFS", type: null, reason: "Maximum number of concurrent calls (20) has exceeded.", trace: null, extra: null,
      });
      r.close();
      l.close();
    } finally {
      h.setKnobs({ latencyMs: 0 });
    }
  });

  it("expired sessions fail with EACCES 'Session is expired' until a new login", async () => {
    const c = await RpcClient.connect(h);
    await c.login(h);
    expect(await c.ok("system.version")).toBe("TrueNAS-25.10.1");
    h.expireSessions();
    const e = (await c.call("system.version")).error!;
    expect(e).toMatchObject({ code: -32001, data: { error: 13, errname: "EACCES", reason: "[EACCES] Session is expired" } });
    expect(await c.ok("core.ping")).toBe("pong");
    await c.login(h);
    expect(await c.ok("system.version")).toBe("TrueNAS-25.10.1");
    c.close();
  });

  it("dropConnections terminates open sockets (1006) and new connections work", async () => {
    const c = await RpcClient.connect(h);
    const l = await LegacyClient.connect(h);
    h.dropConnections();
    expect((await c.closed).code).toBe(1006);
    expect((await l.closed).code).toBe(1006);
    const d = await RpcClient.connect(h);
    expect(await d.ok("core.ping")).toBe("pong");
    d.close();
  });

  it("serves /api/versions and /api/boot_id; refuses unknown ws paths", async () => {
    const v = await httpGet(h, "/api/versions");
    expect(JSON.parse(v.body)).toContain("v25.10.0");
    expect((await httpGet(h, "/api/boot_id")).status).toBe(200);
    const ws = new WebSocket(`${h.endpoint}/nope`, { ca: readFileSync(h.caFile) });
    await expect(new Promise((_, reject) => ws.on("error", reject))).rejects.toThrow(/404/);
  });

  it("answers system.version / system.info / product type", async () => {
    const c = await RpcClient.connect(h);
    await c.login(h);
    expect(await c.ok("system.version_short")).toBe("25.10.1");
    expect(await c.ok("system.product_type")).toBe("COMMUNITY_EDITION");
    expect((await c.ok("system.info")).version).toBe("TrueNAS-25.10.1");
    expect(await c.ok("core.set_options", [{ legacy_jobs: false, bogus: 1 }])).toEqual({ legacy_jobs: false, private_methods: false, py_exceptions: false });
    c.close();
  });
});

describe("24.10 transports and auth", () => {
  let h: Sim;
  beforeAll(async () => {
    h = await sim("24.10.2", { sessionLifetimeMs: 150 });
  });
  afterAll(() => h.dispose());

  it("has no JSON-RPC endpoint", async () => {
    const ws = new WebSocket(`${h.endpoint}/api/current`, { ca: readFileSync(h.caFile) });
    await expect(new Promise((_, reject) => ws.on("error", reject))).rejects.toThrow(/404/);
  });

  it("uses the 24.10 error text for unauthenticated calls, and has no login_ex", async () => {
    const c = await LegacyClient.connect(h);
    expect((await c.call("vm.query")).error).toEqual({ error: 207, errname: "ENOTAUTHENTICATED", type: null, reason: "Not authenticated", trace: null, extra: null });
    expect((await c.call("auth.login_ex", [{}])).error!.error).toBe(201);
    expect(await c.ok("auth.login_with_api_key", [h.credentials.apiKey])).toBe(true);
    expect(await c.ok("system.version")).toBe("TrueNAS-SCALE-24.10.2");
    expect(await c.ok("system.product_type")).toBe("SCALE");
    c.close();
  });

  it("expires sessions after sessionLifetimeMs with ENOTAUTHENTICATED", async () => {
    const c = await LegacyClient.connect(h);
    await c.login(h);
    expect(await c.ok("system.version")).toBe("TrueNAS-SCALE-24.10.2");
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.call("system.version")).error).toMatchObject({ error: 207, reason: "Not authenticated" });
    c.close();
  });

  it("refuses subscriptions before login (nosub EACCES)", async () => {
    const c = await LegacyClient.connect(h);
    c.send(JSON.stringify({ msg: "sub", id: "s1", name: "core.get_jobs" }));
    const f = await c.waitFrame((m) => m.msg === "nosub");
    expect(f).toMatchObject({ id: "s1", error: { error: 13, errname: "EACCES", reason: "Not authorized" } });
    c.close();
  });
});
