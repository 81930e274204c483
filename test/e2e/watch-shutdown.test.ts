/**
 * `vmsync watch --mode apply` as a process stops within a bounded time after SIGTERM even with a
 * webhook receiver that never answers, a keep-alive `/status` client, a request still being sent,
 * an open status-page event stream
 * and provider tasks far longer than --shutdown-timeout: running steps are cancelled at the
 * deadline, state is saved, exit 0; a second SIGTERM cancels at once (exit 130). Each time the
 * next apply converges with no duplicates. The time bound is generous: only a hang exceeds it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, Agent, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startWatch, type WatchProcess } from "../integration/daemon/process.js";
import { pveProviderYaml, startPveWorld, type PveWorld } from "../integration/daemon/pve-world.js";

/** Generous: the grace period is 2 s; only a hang takes a minute. */
const HANG = 60_000;

const vm = (name: string) => `apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata:\n  name: ${name}\nspec:\n  provider: pve\n  memory: 1GiB\n  disks: [{ size: 4GiB }]\n  networks: [{ model: virtio }]\n`;

let world: PveWorld;
let silent: Server;
let silentUrl: string;
const held: ServerResponse[] = [];
const procs: WatchProcess[] = [];

beforeAll(async () => {
  world = await startPveWorld();
  // a webhook receiver that reads the request and never answers
  silent = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/hook`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise<void>((r) => silent.close(() => r()));
  await world?.close();
});
afterEach(() => {
  for (const p of procs.splice(0)) p.kill();
  world.sim.setKnobs({ taskDurationMs: 5 });
});

async function fleet(name: string, vms: string[]): Promise<string> {
  const dir = join(world.tmp.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "pve.yaml"), pveProviderYaml);
  await writeFile(join(dir, "vms.yaml"), vms.map(vm).join("---\n"));
  return dir;
}

/** Waits for the process to exit; its exit code, or null when it had to be killed after `HANG`. */
function exitOf(p: WatchProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve(p.child.exitCode);
    const t = setTimeout(() => (p.kill(), resolve(null)), HANG);
    p.child.once("exit", (code) => (clearTimeout(t), resolve(code)));
  });
}

async function expectConverges(dir: string, names: string[]): Promise<void> {
  world.sim.setKnobs({ taskDurationMs: 5 });
  const apply = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env: world.env, cwd: world.tmp.dir });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
  const plan = await runCli(["plan", dir, "--detailed-exitcode", "--no-color"], { env: world.env, cwd: world.tmp.dir });
  expect(plan.code, plan.stdout).toBe(0);
  const guests = (await world.api.get("/nodes/pve1/qemu")).data.data as Array<{ name: string }>;
  for (const n of names) expect(guests.filter((g) => g.name === n), n).toHaveLength(1);
}

describe("vmsync watch: bounded shutdown (process)", () => {
  it("SIGTERM with a silent webhook, a keep-alive /status client, a half-sent request, an open event stream and tasks longer than --shutdown-timeout: exit 0, and the next run converges", async () => {
    const names = ["sd-1", "sd-2", "sd-3"];
    const dir = await fleet("sd-graceful", names.slice(0, 1));
    const p = await startWatch([dir, "--mode", "apply", "--interval", "1h", "--debounce", "200ms", "--webhook", silentUrl, "--webhook-timeout", "30s", "--shutdown-timeout", "2s"], { cwd: world.tmp.dir, env: world.env });
    procs.push(p);
    // the first apply's notification reaches the receiver, which never answers it
    await p.waitLog("the first apply", (l) => l.msg === "reconciled" && l.applied === "succeeded");
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(held.length).toBeGreaterThan(0);
    // then a change whose steps take far longer than --shutdown-timeout
    world.sim.setKnobs({ taskDurationMs: 20_000 });
    await writeFile(join(dir, "vms.yaml"), names.map(vm).join("---\n"));
    await p.waitLog("a slow step to start", (l) => /^create VirtualMachine\/sd-[23] started$/.test(l.msg));

    const url = new URL(p.url);
    const agent = new Agent({ keepAlive: true });
    const kept = await new Promise<Socket>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: "/status", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(req.socket!));
      });
      req.on("error", reject);
      req.end();
    });
    kept.on("error", () => {});
    const partial = connect({ host: url.hostname, port: Number(url.port) });
    partial.on("error", () => {});
    await new Promise<void>((r) => partial.once("connect", () => r()));
    partial.write("GET /status HTTP/1.1\r\nHost: x\r\n");
    // and a browser on the status page: its live stream (server-sent events) never ends by itself
    const events = await new Promise<{ socket: Socket; status: number; type: string; first: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: "/events", headers: { accept: "text/event-stream" } }, (res) => {
        res.on("error", () => {});
        res.setEncoding("utf8");
        res.once("data", (first: string) => resolve({ socket: req.socket!, status: res.statusCode ?? 0, type: String(res.headers["content-type"]), first }));
      });
      req.on("error", reject);
      req.end();
    });
    const stream = events.socket;
    stream.on("error", () => {});
    expect(events.status).toBe(200);
    expect(events.type).toMatch(/^text\/event-stream/);
    expect(events.first).toMatch(/^retry: \d+\n\n/); // the stream itself, not an error page
    const streamEnded = new Promise<void>((r) => (stream.destroyed ? r() : stream.once("close", () => r())));
    // all three connections are open when the signal arrives
    expect([kept.destroyed, partial.destroyed, stream.destroyed]).toEqual([false, false, false]);

    p.child.kill("SIGTERM");
    expect(await exitOf(p), p.stderr().slice(-3000)).toBe(0);
    await streamEnded;
    agent.destroy();
    partial.destroy();
    expect(p.lines.some((l) => /shutdown timeout \(2 s\) passed: cancelling running steps/.test(l.msg))).toBe(true);
    expect(p.lines.some((l) => /stopped; state saved/.test(l.msg))).toBe(true);
    expect(p.stderr()).not.toContain("still running"); // nothing was left open (bin/vmsync.js's last resort)
    expect(p.lines.some((l) => l.msg === "webhook deliveries abandoned at shutdown")).toBe(true);
    await expectConverges(dir, names);
  });

  it("a second SIGTERM cancels running steps at once: exit 130, and the next run converges", async () => {
    const names = ["sd2-1", "sd2-2", "sd2-3"];
    const dir = await fleet("sd-forced", names);
    world.sim.setKnobs({ taskDurationMs: 20_000 });
    const p = await startWatch([dir, "--mode", "apply", "--interval", "1h", "--webhook", silentUrl], { cwd: world.tmp.dir, env: world.env });
    procs.push(p);
    await p.waitLog("a step to start", (l) => / started$/.test(l.msg));
    p.child.kill("SIGTERM");
    await p.waitLog("the first signal", (l) => /^SIGTERM: stopping/.test(l.msg));
    p.child.kill("SIGTERM");
    expect(await exitOf(p), p.stderr().slice(-3000)).toBe(130);
    expect(p.lines.some((l) => /SIGTERM again: cancelling running steps now/.test(l.msg))).toBe(true);
    expect(p.stderr()).not.toContain("still running");
    expect(p.stderr()).toMatch(/interrupted: vmsync watch: running steps were cancelled by a second signal; state is saved/);
    await expectConverges(dir, names);
  });
});
