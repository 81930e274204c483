// Runs the CLI under test as a child process and measures it: wall time, exit code, output, peak
// RSS and CPU (through the rusage.mjs preload), and for `apply --json` the executor's events.
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PRELOAD = fileURLToPath(new URL("./rusage.mjs", import.meta.url));
let seq = 0;

/** Runs `node <cli> …args` in `cwd` with `env`; resolves with what it did (never rejects on exit codes). */
export async function runCli({ cli, args, cwd, env, preload = true, onLine }) {
  const rusageFile = join(tmpdir(), `vmsync-bench-rusage-${process.pid}-${++seq}.json`);
  const nodeArgs = preload ? ["--import", PRELOAD, cli, ...args] : [cli, ...args];
  const t0 = performance.now();
  const child = spawn(process.execPath, nodeArgs, { cwd, env: { ...env, NO_COLOR: "1", VMSYNC_BENCH_RUSAGE_FILE: rusageFile }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let partial = "";
  child.stdout.on("data", (d) => {
    stdout += d;
    if (!onLine) return;
    partial += d;
    const lines = partial.split("\n");
    partial = lines.pop();
    for (const l of lines) onLine(l);
  });
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const wallMs = performance.now() - t0;
  let rusage;
  try {
    rusage = JSON.parse(await readFile(rusageFile, "utf8"));
  } catch {
    rusage = undefined;
  }
  await rm(rusageFile, { force: true });
  return { code, wallMs, stdout, stderr, rusage };
}

/** The JSON events of an `apply --json` run. */
export function eventsOf(stdout) {
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((e) => typeof e.type === "string");
}

/**
 * Completed steps per minute over an apply: for each whole minute since the first step started,
 * how many steps finished in it, plus the first and last full minute and the overall rate.
 */
export function stepRate(events) {
  const starts = events.filter((e) => e.type === "step.start").map((e) => Date.parse(e.time));
  const dones = events.filter((e) => e.type === "step.done").map((e) => Date.parse(e.time)).sort((a, b) => a - b);
  if (!starts.length || !dones.length) return { perMinute: [], overall: 0 };
  const t0 = Math.min(...starts);
  const end = dones[dones.length - 1];
  const minutes = Math.max(1, Math.ceil((end - t0) / 60_000));
  const perMinute = Array.from({ length: minutes }, () => 0);
  for (const t of dones) perMinute[Math.min(minutes - 1, Math.floor((t - t0) / 60_000))]++;
  const overall = dones.length / Math.max(1e-9, (end - t0) / 60_000);
  return { perMinute, overall: Math.round(overall), seconds: Math.round((end - t0) / 100) / 10, byProvider: byProvider(events, t0, minutes) };
}

/**
 * Per provider (the fleet's names start pve-, nas-, az-): steps done and the median step duration in
 * each minute — whether a provider's steps get slower as the run goes on, or only the mix of
 * providers still running changes (the fast ones finish first).
 */
function byProvider(events, t0, minutes) {
  const out = {};
  for (const e of events) {
    if (e.type !== "step.done") continue;
    const name = e.address.split("/")[1] ?? "";
    const p = name.startsWith("pve-") ? "proxmox" : name.startsWith("nas-") ? "truenas" : name.startsWith("az-") ? "azure" : "other";
    const m = Math.min(minutes - 1, Math.floor((Date.parse(e.time) - t0) / 60_000));
    out[p] ??= Array.from({ length: minutes }, () => []);
    out[p][m].push(e.durationMs);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;
  return Object.fromEntries(Object.entries(out).map(([p, per]) => [p, { stepsPerMinute: per.map((xs) => xs.length), medianStepMs: per.map(median) }]));
}

/** Most steps in flight at once during an apply (the effective concurrency). */
export function maxInFlight(events) {
  let now = 0;
  let max = 0;
  for (const e of events) {
    if (e.type === "step.start") max = Math.max(max, ++now);
    else if (e.type === "step.done" || e.type === "step.failed") now--;
  }
  return max;
}
