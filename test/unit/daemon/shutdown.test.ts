/**
 * The daemon's shutdown is bounded: steps still running when the grace period ends are cancelled
 * through their AbortSignal and recorded (the next run converges), a second stop cancels at once,
 * a webhook receiver that never answers is abandoned, and open HTTP connections (keep-alive, a
 * request still being sent, the status page's event stream) are ended. No assertion on durations: a hang shows as a test timeout.
 */
import { request as httpRequest, Agent } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Notifier } from "../../../src/daemon/notify.js";
import { memoryLogger } from "../../../src/daemon/log.js";
import { proxmoxProvider, vm } from "../../helpers/manifests.js";
import { startHarness, type Harness } from "./harness.js";
import { ManualClock, settle } from "./manual-clock.js";

/** Resolves when `signal` aborts (an operation that only ends by cancellation). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

async function eventually(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!fn()) throw new Error(`timed out waiting for ${what}`);
}

describe("bounded shutdown", () => {
  let h: Harness;
  afterEach(async () => h?.cleanup());

  it("cancels a step still running at the end of the grace period, records it, and the next run converges without a duplicate", async () => {
    h = await startHarness({}, { "providers.yaml": proxmoxProvider });
    let signalOfCreate: AbortSignal | undefined;
    h.fake.hook = async (op, _address, _attempt, signal) => {
      if (op !== "create") return;
      signalOfCreate = signal;
      await untilAborted(signal); // a provider call that never finishes by itself
    };
    await h.write({ "vms.yaml": vm("web") });
    h.daemon.request("changed");
    await eventually("the create to start", () => h.fake.inFlight === 1);

    const { settled } = await h.daemon.stop({ graceMs: 50 });
    expect(settled).toBe(true);
    expect(signalOfCreate?.aborted).toBe(true);
    expect(h.fake.world.size).toBe(0);
    const state = await h.store.read();
    expect(Object.keys(state.pending)).toEqual(["VirtualMachine/web"]); // the breadcrumb of the interrupted create
    const [last] = await h.store.history(1);
    expect(last!.steps).toEqual([expect.objectContaining({ address: "VirtualMachine/web", action: "create", result: "failed" })]);
    expect(h.logger.lines.some((l) => l.level === "warn" && /shutdown timeout .* passed: cancelling running steps/.test(l.message))).toBe(true);

    h.fake.hook = () => {};
    await h.restart({});
    expect([...h.fake.world.values()].filter((o) => o.marker?.address === "VirtualMachine/web")).toHaveLength(1);
    expect((await h.store.read()).pending).toEqual({});
  });

  it("a second stop cancels running steps at once, long before the grace period", async () => {
    h = await startHarness({}, { "providers.yaml": proxmoxProvider });
    h.fake.hook = async (op, _a, _n, signal) => {
      if (op === "create") await untilAborted(signal);
    };
    await h.write({ "vms.yaml": [vm("a"), vm("b")].join("---\n") });
    h.daemon.request("changed");
    await eventually("the creates to start", () => h.fake.inFlight === 2);
    const first = h.daemon.stop({ graceMs: 10 * 60_000 });
    await settle();
    const second = h.daemon.stop();
    expect(await second).toEqual({ settled: true });
    expect(await first).toEqual({ settled: true });
    expect(h.fake.world.size).toBe(0);
  });

  it("abandons a webhook delivery whose receiver never answers", async () => {
    const clock = new ManualClock();
    const logger = memoryLogger();
    const signals: AbortSignal[] = [];
    const silent = ((_url: string, init: { signal: AbortSignal }) => {
      signals.push(init.signal);
      return untilAborted(init.signal).then(() => Promise.reject(init.signal.reason));
    }) as unknown as typeof fetch;
    h = await startHarness({ logger, notifier: new Notifier({ urls: ["http://hooks.invalid/x"], format: "json", clock, logger, fetch: silent }) }, { "providers.yaml": proxmoxProvider }, clock);
    await h.write({ "vms.yaml": vm("web") });
    await h.pass("changed");
    expect(signals.length).toBeGreaterThan(0); // apply.succeeded is being delivered, and hangs
    expect(await h.daemon.stop({ graceMs: 100 })).toEqual({ settled: true });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(logger.lines.some((l) => l.message === "webhook deliveries abandoned at shutdown")).toBe(true);
  });

  it("ends open HTTP connections: a keep-alive /status client, a request still being sent and the status page's live stream", async () => {
    h = await startHarness({ http: { host: "127.0.0.1", port: 0 } }, { "providers.yaml": proxmoxProvider });
    const url = new URL(h.daemon.url!);
    const agent = new Agent({ keepAlive: true });
    let keptAlive: Socket | undefined;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: "/status", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("socket", (s) => (keptAlive = s));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    const partial = connect({ host: url.hostname, port: Number(url.port) });
    partial.on("error", () => {}); // reset by the server when it closes: expected
    keptAlive!.on("error", () => {});
    await new Promise<void>((r) => partial.once("connect", () => r()));
    partial.write("GET /status HTTP/1.1\r\nHost: x\r\n"); // headers never finished
    // the status page's live stream (server-sent events): a response that never ends by itself
    const stream = await new Promise<{ socket: Socket; first: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: "/events" }, (res) => {
        expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
        res.setEncoding("utf8");
        res.once("data", (d: string) => resolve({ socket: req.socket!, first: d }));
        res.on("error", () => {});
      });
      req.on("error", reject);
      req.end();
    });
    stream.socket.on("error", () => {});
    expect(stream.first).toMatch(/retry: |event: update/);
    const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once("close", () => r())));
    await h.daemon.stop({ graceMs: 1000 });
    await Promise.all([closed(keptAlive!), closed(partial), closed(stream.socket)]);
    agent.destroy();
  });
});
