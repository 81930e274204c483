import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, type DaemonHttp } from "../../../src/daemon/http-server.js";
import type { DaemonStatus } from "../../../src/daemon/status.js";
import { isLoopback } from "../../../src/daemon/web/auth.js";
import type { PageData } from "../../../src/daemon/web/page.js";
import { createWebRoutes, type WebSources } from "../../../src/daemon/web/routes.js";
import type { FleetReport } from "../../../src/status/fleet-schema.js";

const status: DaemonStatus = {
  formatVersion: 1, stack: "s", mode: "plan", startedAt: "2026-01-01T00:00:00Z", ready: true, leader: { isLeader: true, describe: "single" }, source: { paths: ["."] },
  manifests: { valid: true, errors: [] }, drift: [], changeWindows: { open: true, windows: [] }, resources: [], schedules: [],
};
const hostile = "<script>alert(1)</script>";
const fleet: FleetReport = {
  formatVersion: 1, stack: "s", generatedAt: "2026-01-01T00:00:00Z", summary: { total: 1 }, providers: [{ name: "pve", reachable: true }], sections: [],
  resources: [{ address: `VirtualMachine/x`, kind: "VirtualMachine", name: hostile, provider: "pve", placement: hostile, addresses: [], protect: false, sync: { state: "failed", fields: [], detail: `error ${hostile}` } }],
};

/** Sources whose data tests change, with a manual change notification. */
function sources(): WebSources & { notify(): void; data: () => Promise<PageData>; fleet: FleetReport } {
  const listeners = new Set<() => void>();
  const s = {
    fleet,
    data: async (): Promise<PageData> => ({ status, fleet: s.fleet, history: [], now: new Date("2026-01-01T00:00:00Z") }),
    subscribe: (fn: () => void) => (listeners.add(fn), () => listeners.delete(fn)),
    notify: () => listeners.forEach((f) => f()),
  };
  return s;
}

let http: DaemonHttp | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

async function serve(token?: string) {
  const src = sources();
  http = await startHttpServer({
    host: "127.0.0.1", port: 0, ...(token ? { token } : {}),
    sources: { healthy: () => true, ready: () => true, status: () => status, metrics: async () => ({ contentType: "text/plain", body: "" }) },
    web: createWebRoutes({ ...(token ? { token } : {}), sources: src }),
  });
  return { url: http.url, src };
}

describe("the status page's routes", () => {
  it("escapes everything that comes from providers, manifests or history", async () => {
    const { url } = await serve();
    const page = await (await fetch(`${url}/`)).text();
    expect(page).not.toContain(hostile);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("serves its own stylesheet and script with a strict content security policy", async () => {
    const { url } = await serve();
    const css = await fetch(`${url}/assets/status.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*script-src 'self'/);
    expect(await page.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("with a token: 401 and a sign-in form, a wrong token refused, the right one gives a session cookie that opens the page and the stream", async () => {
    const { url } = await serve("tok");
    const anon = await fetch(`${url}/`);
    expect(anon.status).toBe(401);
    expect(await anon.text()).toContain('<form method="post" action="/login">');
    const wrong = await fetch(`${url}/login`, { method: "POST", body: "token=nope", headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${url}/login`, { method: "POST", body: "token=tok", headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^vmsync_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain("tok;");
    expect((await fetch(`${url}/`, { headers: { cookie: cookie.split(";")[0]! } })).status).toBe(200);
    expect((await fetch(`${url}/`, { headers: { authorization: "Bearer tok" } })).status).toBe(200);
    expect((await fetch(`${url}/`, { headers: { cookie: "vmsync_session=forged" } })).status).toBe(401);
    expect((await fetch(`${url}/status`, { headers: { cookie: cookie.split(";")[0]! } })).status).toBe(401); // the JSON API stays bearer-only
  });

  it("streams the sections on connect and after each change, and ends the stream when the server closes", async () => {
    const { url, src } = await serve();
    const events: string[] = [];
    let ended = false;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${url}/events`, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          events.push(...d.split("\n\n").filter((e) => e.startsWith("event: update")));
          if (events.length === 1) {
            src.fleet = { ...fleet, resources: [{ ...fleet.resources[0]!, sync: { state: "in-sync", fields: [] } }] };
            src.notify();
          }
          if (events.length === 2) resolve();
        });
        res.on("close", () => (ended = true));
      });
      req.on("error", reject);
      req.end();
    });
    expect(events[0]).toContain('data-sync=\\"failed\\"');
    expect(events[1]).toContain('data-sync=\\"in-sync\\"');
    await http!.close();
    http = undefined;
    for (let i = 0; i < 100 && !ended; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ended).toBe(true);
  });
});

describe("loopback", () => {
  it.each([["127.0.0.1", true], ["127.1.2.3", true], ["::1", true], ["[::1]", true], ["localhost", true], ["0.0.0.0", false], ["::", false], ["10.0.0.5", false], ["example.org", false]])("%s → %s", (host, loop) => {
    expect(isLoopback(host)).toBe(loop);
  });
});
