// Scenarios "startup" and "watch": how long `vmsync --version` takes next to `node -e 0`; how long
// the watch daemon takes from a saved manifest to the start of its plan, and how much CPU it uses
// while idle (from /proc, Linux only).
import { spawn, execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "./cli.mjs";
import { writeFleet } from "./fleet.mjs";
import { startSims } from "./sims.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time of `vmsync --version` and of `node -e 0` over `runs` runs each. */
export async function startupScenario({ cli, work, runs = 11 }) {
  const times = { version: [], node: [] };
  for (let i = 0; i < runs; i++) {
    times.version.push((await runCli({ cli, args: ["--version"], cwd: work, env: process.env, preload: false })).wallMs);
    const t0 = performance.now();
    execFileSync(process.execPath, ["-e", "0"]);
    times.node.push(performance.now() - t0);
  }
  const version = median(times.version);
  const node = median(times.node);
  return { versionMs: Math.round(version), nodeMs: Math.round(node), ratioToNode: +(version / node).toFixed(1), runs };
}

function cpuTicks(pid) {
  const stat = execFileSync("cat", [`/proc/${pid}/stat`]).toString();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** See the module comment: `saves` saves a manifest and waits for each pass; idle CPU over `idleSeconds`. */
export async function watchScenario({ cli, dist, work, log, saves = 5, idleSeconds = 30 }) {
  const dir = join(work, "watch");
  const manifests = join(dir, "fleet");
  const sims = await startSims({ dist, dir: join(dir, "sim"), latencyMs: 0 });
  const env = { ...process.env, ...sims.env, NO_COLOR: "1" };
  let child;
  try {
    await writeFleet(manifests, 10, { only: "proxmox" });
    const applied = await runCli({ cli, args: ["apply", manifests, "--auto-approve"], cwd: dir, env });
    if (applied.code !== 0) throw new Error(`watch fleet apply failed: ${applied.stderr.slice(-400)}`);
    child = spawn(process.execPath, [cli, "watch", manifests, "--mode", "plan", "--interval", "1h", "--listen", "127.0.0.1:0", "--json"], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    const passes = [];
    let waiters = [];
    let buf = "";
    child.stderr.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const l of lines) {
        let e;
        try {
          e = JSON.parse(l);
        } catch {
          continue;
        }
        if (e.msg === "reconciled" || /reconcile failed|manifests have/.test(e.msg)) {
          passes.push({ startedAt: Date.parse(e.time) - (e.ms ?? 0), reasons: e.reasons });
          for (const w of waiters) w();
          waiters = [];
        }
      }
    });
    const nextPass = (count) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("the daemon did not reconcile within 60 s")), 60_000);
      const check = () => (passes.length >= count ? (clearTimeout(t), resolve(passes[count - 1])) : waiters.push(check));
      check();
    });
    await nextPass(1);
    const file = join(manifests, "pve-0000.yaml");
    const delays = [];
    for (let i = 1; i <= saves; i++) {
      await sleep(1500);
      const text = await readFile(file, "utf8");
      const savedAt = Date.now();
      await writeFile(file, `${text}# saved ${i}\n`);
      const pass = await nextPass(1 + i);
      delays.push(pass.startedAt - savedAt);
    }
    await sleep(3000);
    // CPU over the idle window, and per 5-s slice: V8's memory reducer runs one full GC some 10–20 s
    // after activity stops (~150 ms of CPU once); the median slice is the steady idle rate
    let idleCpuPercent = null;
    let idleSlicesPercent = [];
    try {
      const hz = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
      const a = cpuTicks(child.pid);
      const t0 = performance.now();
      const slices = Math.max(1, Math.round(idleSeconds / 5));
      for (let i = 0, prev = a; i < slices; i++) {
        await sleep((idleSeconds * 1000) / slices);
        const now = cpuTicks(child.pid);
        idleSlicesPercent.push(+((((now - prev) / hz) / (idleSeconds / slices)) * 100).toFixed(2));
        prev = now;
      }
      const b = cpuTicks(child.pid);
      idleCpuPercent = +((((b - a) / hz) / ((performance.now() - t0) / 1000)) * 100).toFixed(2);
    } catch {
      idleCpuPercent = null;
      idleSlicesPercent = [];
    }
    const result = { saveToPlanStartMs: median(delays), delaysMs: delays, idleCpuPercent, idleSeconds, idleSlicesPercent, idleSteadyPercent: idleSlicesPercent.length ? median(idleSlicesPercent) : null };
    log(`watch: save → plan start ${result.saveToPlanStartMs} ms (median of ${saves}); idle CPU ${idleCpuPercent}% over ${idleSeconds}s (5-s slices: ${idleSlicesPercent.join(" ")}; median ${result.idleSteadyPercent}%)`);
    return result;
  } finally {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
    }
    await sims.close();
  }
}
