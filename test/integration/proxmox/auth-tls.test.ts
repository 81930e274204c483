import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerFor } from "../../../src/providers/registry.js";
import { connect, providerOf, providerYaml, startWorld, STACK, type World, failure } from "./helpers.js";

describe("proxmox provider: authentication and TLS", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ ticketLifetimeMs: 4000 }); // renewals (every 0.5 s) stay far from expiry even on a loaded machine
  });
  afterAll(async () => w.stop());

  it("connects with an API token through the registry and reports every request without secrets", async () => {
    await w.write({ "pve.yaml": providerYaml() });
    const desired = await w.load();
    const seen: Array<Record<string, unknown>> = [];
    const provider = await providerFor("proxmox");
    const session = await provider.connect(providerOf(desired), { stack: STACK, env: w.env, onRequest: (r) => seen.push(r) });
    await session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: [] });
    await session.close();
    expect(seen[0]).toMatchObject({ provider: "pve", method: "GET", path: "/version", status: 200 });
    expect(seen.every((r) => typeof r.ms === "number")).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(w.sim.credentials.tokenSecret);
  });

  it("logs in with user and password, renews the ticket before it expires and sends CSRF on writes", async () => {
    await w.write({ "pve.yaml": providerYaml({ auth: "password" }) });
    const desired = await w.load();
    const seen: Array<{ path: string; status?: number }> = [];
    const session = await connect(w, desired, { onRequest: (r) => seen.push(r) }, { ticketRenewAfterMs: 500 });
    for (let i = 0; i < 4; i++) {
      await session.observe({ kinds: ["VirtualMachine", "NfsShare"], externalIds: [], names: [] });
      await new Promise((r) => setTimeout(r, 600));
    }
    // a write needs the CSRF token: an idempotent storage registration exercises it
    await session.context.api.post("/storage", { storage: "csrf-check", type: "dir", path: "/srv/x" });
    await session.close();
    const logins = seen.filter((r) => r.path === "/access/ticket");
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(seen.filter((r) => r.status === 401)).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain(w.sim.credentials.password);
  });

  it("logs in again after a 401 when a ticket expired without renewal", async () => {
    await w.write({ "pve.yaml": providerYaml({ auth: "password" }) });
    const session = await connect(w, await w.load(), {}, { ticketRenewAfterMs: 3_600_000 });
    await new Promise((r) => setTimeout(r, 4300));
    await expect(session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: [] })).resolves.toEqual([]);
    await session.close();
  });

  it("fails on a wrong password with Proxmox's text, permanently", async () => {
    await w.write({ "pve.yaml": providerYaml({ auth: "password" }) });
    const err = await failure(connect({ ...w, env: { ...w.env, PVE_PASSWORD: "wrong" } }, await w.load()));
    expect(err.message).toMatch(/^cannot connect to proxmox provider pve at https:\/\/127\.0\.0\.1:\d+ \(POST \/access\/ticket\): 401 authentication failure/);
    expect(err.retryable).toBe(false);
  });

  it("verifies TLS: without the CA file the connection fails, permanently", async () => {
    await w.write({ "pve.yaml": providerYaml({ ca: false }) });
    const err = await failure(connect(w, await w.load()));
    expect(err.message).toMatch(/cannot connect to proxmox provider pve .*TLS verification failed/);
    expect(err.retryable).toBe(false);
  });

  it("shares a GET asked for while the same GET is in flight, giving each caller its own copy", async () => {
    await w.write({ "pve.yaml": providerYaml() });
    const session = await connect(w, await w.load());
    const count = () => w.sim.requests()["GET /nodes"] ?? 0;
    const before = count();
    const api = session.context.api;
    const [a, b] = await Promise.all([api.get<Array<{ node: string }>>("/nodes"), api.get<Array<{ node: string }>>("/nodes")]);
    expect(count() - before).toBe(1);
    expect(b).toEqual(a);
    a[0]!.node = "changed by the first caller";
    expect(b[0]!.node).not.toBe("changed by the first caller");
    // one after the other: two requests (nothing is cached once an answer is in)
    await api.get("/nodes");
    await api.get("/nodes");
    expect(count() - before).toBe(3);
    // a different signal does not share (one caller's abort must not fail the other)
    await Promise.all([api.get("/nodes", undefined, { signal: new AbortController().signal }), api.get("/nodes")]);
    expect(count() - before).toBe(5);
    await session.close();
  });
});
