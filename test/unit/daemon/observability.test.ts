import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, parseListen, type DaemonHttp } from "../../../src/daemon/http-server.js";
import { webhookBody, type DaemonNotification } from "../../../src/daemon/notify-format.js";
import { startHarness, type Harness } from "./harness.js";

const SECRET = "hunter2-very-secret";

describe("metrics, status and webhooks (fake provider)", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("exports reconcile, resource, drift, step and provider request metrics", async () => {
    h = await startHarness();
    const { body, contentType } = await h.daemon.metrics.render();
    expect(contentType).toMatch(/text\/plain/);
    expect(body).toMatch(/vmsync_reconcile_duration_seconds_count\{outcome="reconciled"\} 1/);
    expect(body).toMatch(/vmsync_reconciles_total\{outcome="reconciled"\} 1/);
    expect(body).toMatch(/vmsync_resources\{status="True",reason="Applied"\} 1/);
    expect(body).toMatch(/vmsync_drift_resources 0/);
    expect(body).toMatch(/vmsync_step_results_total\{action="create",result="succeeded"\} 1/);
    // one observe to plan, one after the apply (what the status page shows is observed, not assumed)
    expect(body).toMatch(/vmsync_provider_requests_total\{provider="pve",method="GET",status="200"\} 2/);
    expect(body).toMatch(/vmsync_leader 1/);
    await h.pass("resync");
    expect((await h.daemon.metrics.render()).body).toMatch(/vmsync_resources\{status="True",reason="InSync"\} 1/);
  });

  it("serves a status document with revision, plan summary, drift and conditions — and never a secret", async () => {
    h = await startHarness();
    const obj = [...h.fake.world.values()][0]!;
    obj.spec.memory = 2048;
    // a secret-bearing field (applied as a reference) now holds a value set behind vmsync's back
    const record = (await h.store.read()).resources["VirtualMachine/web"]!;
    await h.store.commit([{ type: "putResource", record: { ...record, appliedSpec: { ...(record.appliedSpec as object), password: { env: "WEB_PASSWORD" } } } }]);
    obj.spec.password = SECRET;
    await h.restart({ mode: "observe" });
    const status = h.daemon.statusDocument();
    expect(status).toMatchObject({
      formatVersion: 1, stack: "test", mode: "observe", ready: true, leader: { isLeader: true },
      manifests: { valid: true, errors: [] }, changeWindows: { open: true, windows: [] },
      plan: { summary: { create: 0, update: 0, replace: 0, delete: 0 }, line: expect.stringContaining("Plan:") },
      drift: [{ address: "VirtualMachine/web", type: "changed", paths: ["memory", "password"] }],
      resources: [{ address: "VirtualMachine/web", conditions: [expect.objectContaining({ type: "Ready", status: "False", reason: "Drifted", lastTransitionTime: expect.any(String) })] }],
    });
    expect(JSON.stringify(status)).not.toContain(SECRET);
    const drift = h.webhooks.filter((w) => (w as DaemonNotification).type === "drift.detected");
    expect(drift).toEqual([expect.objectContaining({ formatVersion: 1, stack: "test", drift: [{ address: "VirtualMachine/web", type: "changed", paths: ["memory", "password"] }] })]);
    expect(JSON.stringify(h.webhooks)).not.toContain(SECRET);
    expect(JSON.stringify(h.logger.lines)).not.toContain(SECRET);
    // the same drift is announced once, not at every resync
    await h.pass("resync");
    expect(h.webhooks.filter((w) => (w as DaemonNotification).type === "drift.detected")).toHaveLength(1);
  });

  it("notifies apply succeeded and apply failed", async () => {
    h = await startHarness();
    expect(h.webhooks).toContainEqual(expect.objectContaining({ type: "apply.succeeded", summary: { create: 1, update: 0, replace: 0, delete: 0 }, steps: [{ address: "VirtualMachine/web", action: "create", result: "succeeded" }] }));
    h.fake.hook = () => {
      throw Object.assign(new Error("update web: HTTP 400 bad value"), { code: "HTTP_400", retryable: false });
    };
    [...h.fake.world.values()][0]!.spec.cores = 9;
    await h.pass();
    expect(h.webhooks).toContainEqual(expect.objectContaining({ type: "apply.failed", result: "failed", steps: [expect.objectContaining({ address: "VirtualMachine/web", result: "failed", error: expect.stringContaining("bad value") })] }));
  });

  it("formats Slack messages", () => {
    const n: DaemonNotification = { type: "drift.detected", stack: "prod", time: "2026-01-05T00:00:00Z", revision: "0123456789abcdef0123", drift: [{ address: "VirtualMachine/web-1", type: "changed", paths: ["memory"] }] };
    expect(webhookBody(n, "slack")).toEqual({ text: ":warning: Drift on *prod* @ `0123456789ab`: 1 resource(s) changed outside vmsync\n• `VirtualMachine/web-1` memory" });
    expect(webhookBody(n, "json")).toMatchObject({ formatVersion: 1, type: "drift.detected" });
  });
});

describe("HTTP endpoints", () => {
  let http: DaemonHttp | undefined;
  afterEach(async () => http?.close());

  const serve = async (token?: string, ready = true) => {
    http = await startHttpServer({
      host: "127.0.0.1", port: 0, ...(token ? { token } : {}),
      sources: { healthy: () => true, ready: () => ready, status: () => ({ formatVersion: 1 }), metrics: async () => ({ contentType: "text/plain; version=0.0.4", body: "vmsync_up 1\n" }) },
    });
    return http.url;
  };

  it("serves health, readiness, status and metrics", async () => {
    const url = await serve(undefined, false);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${url}/status`)).json()).toEqual({ formatVersion: 1 });
    expect(await (await fetch(`${url}/metrics`)).text()).toBe("vmsync_up 1\n");
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/status`, { method: "POST" })).status).toBe(405);
  });

  it("requires the bearer token for status and metrics, not for probes", async () => {
    const url = await serve("s3cret");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/status`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
  });

  it("parses --listen", () => {
    expect(parseListen("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListen(":9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(() => parseListen("9464")).toThrow(/HOST:PORT/);
  });
});
