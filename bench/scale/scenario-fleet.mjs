// Scenario "fleet": a fleet of N resources on the three simulators. Applied from nothing at latency
// 0 (creates per minute over the run, request counts), then planned at the latency knob — once cold
// (no observation cache), then warm (the everyday plan) three times in turns with the per-resource
// baseline, against the same simulators, so the ratios compare like with like (medians reported).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventsOf, maxInFlight, runCli, stepRate } from "./cli.mjs";
import { writeFleet } from "./fleet.mjs";
import { requestDelta, startSims } from "./sims.mjs";

const BASELINE = fileURLToPath(new URL("./baseline.mjs", import.meta.url));

function tail(text, lines = 8) {
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** Runs the CLI and reports wall time, exit code, peak RSS and the requests each simulator served. */
async function measured(sims, run) {
  const before = sims.requests();
  const r = await run();
  return { ...r, requests: requestDelta(before, sims.requests()) };
}

/** CPU seconds (user + system) of a run: less disturbed by a busy machine than wall time. */
function cpuSeconds(r) {
  return r.rusage ? +((r.rusage.userCpuUs + r.rusage.systemCpuUs) / 1e6).toFixed(2) : null;
}

function planFigures(r) {
  return { seconds: +(r.wallMs / 1000).toFixed(2), cpuSeconds: cpuSeconds(r), exitCode: r.code, peakRssMiB: r.rusage ? Math.round(r.rusage.maxRssKiB / 1024) : null, requests: r.requests, ...(r.code > 2 || r.code === 1 ? { error: tail(r.stderr) } : {}) };
}

/** See the module comment. `log` prints progress. */
export async function fleetScenario({ n, cli, seedCli, dist, latencyMs, work, log, repo, repeat = 3 }) {
  const dir = join(work, `fleet-${n}`);
  const manifests = join(dir, "fleet");
  const sims = await startSims({ dist, dir: join(dir, "sim"), latencyMs: 0 });
  const env = { ...process.env, ...sims.env };
  try {
    const split = await writeFleet(manifests, n);
    log(`fleet ${n}: applying ${JSON.stringify(split)} at latency 0 …`);
    let done = 0;
    let lastLog = Date.now();
    const apply = await measured(sims, () => runCli({
      cli: seedCli, args: ["apply", manifests, "--auto-approve", "--json"], cwd: dir, env,
      onLine: (l) => {
        if (l.includes('"step.done"')) done++;
        if (Date.now() - lastLog > 30_000) {
          lastLog = Date.now();
          log(`  … ${done}/${n} created`);
        }
      },
    }));
    const events = eventsOf(apply.stdout);
    const summary = events.find((e) => e.type === "summary");
    const rate = stepRate(events);
    const applyFigures = {
      seconds: +(apply.wallMs / 1000).toFixed(1), cpuSeconds: cpuSeconds(apply), exitCode: apply.code, succeeded: summary?.succeeded ?? 0, failed: summary?.failed ?? 0,
      stepsPerMinute: rate.perMinute, byProvider: rate.byProvider, overallStepsPerMinute: rate.overall, firstMinute: rate.perMinute[0] ?? 0, lastFullMinute: rate.perMinute.length > 2 ? rate.perMinute[rate.perMinute.length - 2] : null,
      maxInFlight: maxInFlight(events), peakRssMiB: apply.rusage ? Math.round(apply.rusage.maxRssKiB / 1024) : null, requests: apply.requests,
      ...(apply.code !== 0 ? { error: tail(apply.stderr + apply.stdout.split("\n").filter((l) => !l.startsWith("{\"type")).join("\n") + events.filter((e) => e.type === "step.failed").slice(0, 3).map((e) => `\n${e.address}: ${e.error}`).join("")) } : {}),
    };
    log(`fleet ${n}: apply ${applyFigures.seconds}s, ${applyFigures.succeeded} ok, ${applyFigures.failed} failed, ${rate.overall} steps/min`);
    for (const [p, r] of Object.entries(rate.byProvider ?? {})) log(`  ${p}: steps/min ${r.stepsPerMinute.join(" ")}; median step ms ${r.medianStepMs.join(" ")}`);
    sims.setLatency(latencyMs);
    await rm(join(manifests, ".vmsync", "cache"), { recursive: true, force: true });
    const plan = (label) => measured(sims, () => runCli({ cli, args: ["plan", manifests, "--detailed-exitcode"], cwd: dir, env })).then((r) => {
      log(`fleet ${n}: plan (${label}) ${(r.wallMs / 1000).toFixed(2)}s exit ${r.code}`);
      return planFigures(r);
    });
    const cold = await plan("cold");
    // the everyday plan and the baseline, taken in turns `repeat` times (machines here drift): medians
    const baselineRun = async () => {
      const base = await measured(sims, () => runCli({ cli: BASELINE, args: [manifests, join(repo, "dist")], cwd: dir, env }));
      const figures = { seconds: +(base.wallMs / 1000).toFixed(2), cpuSeconds: cpuSeconds(base), exitCode: base.code, requests: base.requests, ...(base.code ? { error: tail(base.stderr) } : JSON.parse(base.stdout)) };
      log(`fleet ${n}: baseline ${figures.seconds}s`);
      return figures;
    };
    const warms = [];
    const bases = [];
    for (let i = 0; i < repeat; i++) {
      warms.push(await plan("warm"));
      bases.push(await baselineRun());
    }
    const medianBy = (xs) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)];
    // the highest peak RSS of the warm plans, not the median one's
    const warm = { ...medianBy(warms), samplesSeconds: warms.map((w) => w.seconds), peakRssMiB: Math.max(...warms.map((w) => w.peakRssMiB ?? 0)) || null };
    const baseline = { ...medianBy(bases), samplesSeconds: bases.map((b) => b.seconds) };
    return {
      size: n, split, latencyMs, apply: applyFigures, planCold: cold, planWarm: warm, baseline,
      ratios: { baselineOverPlanWarm: +(baseline.seconds / warm.seconds).toFixed(2), baselineOverPlanCold: +(baseline.seconds / cold.seconds).toFixed(2) },
    };
  } finally {
    await sims.close();
  }
}
