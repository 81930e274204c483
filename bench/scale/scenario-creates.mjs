// Scenario "creates": how close an apply of 200 Proxmox creates comes to its bound — the steps in
// flight at once (the provider's concurrency) times the time one create takes alone. The lone
// create time is the median of five applies that each add one VM; then 200 more VMs are added
// and applied at once, on the same simulated cluster at the latency knob.
import { join } from "node:path";
import { eventsOf, maxInFlight, runCli } from "./cli.mjs";
import { writeFleet } from "./fleet.mjs";
import { requestDelta, startSims } from "./sims.mjs";

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * See the module comment. `rateLimit` sets the Proxmox provider's rate (default: the provider's own
 * default), to tell vmsync's overhead from its deliberate pacing.
 */
export async function createsScenario({ cli, dist, latencyMs, work, log, count = 200, rateLimit }) {
  const dir = join(work, rateLimit ? `creates-${rateLimit}` : "creates");
  const fleetOpts = { only: "proxmox", ...(rateLimit ? { proxmoxExtra: `  rateLimit: ${rateLimit}\n` } : {}) };
  const manifests = join(dir, "fleet");
  const sims = await startSims({ dist, dir: join(dir, "sim"), latencyMs });
  const env = { ...process.env, ...sims.env };
  const apply = () => runCli({ cli, args: ["apply", manifests, "--auto-approve", "--json"], cwd: dir, env });
  try {
    const lone = [];
    for (let i = 1; i <= 5; i++) {
      await writeFleet(manifests, i, fleetOpts);
      const r = await apply();
      const done = eventsOf(r.stdout).filter((e) => e.type === "step.done" && e.action === "create");
      if (r.code !== 0 || done.length !== 1) throw new Error(`lone create ${i} failed (exit ${r.code}): ${r.stderr.slice(-400)}`);
      lone.push(done[0].durationMs);
    }
    const perCreateMs = median(lone);
    await writeFleet(manifests, 5 + count, fleetOpts);
    const before = sims.requests();
    const r = await apply();
    const events = eventsOf(r.stdout);
    const summary = events.find((e) => e.type === "summary");
    const concurrency = maxInFlight(events);
    const boundMs = Math.ceil(count / concurrency) * perCreateMs;
    const result = {
      creates: count, latencyMs, rateLimit: rateLimit ?? "default", perCreateMs, loneCreatesMs: lone, concurrency, boundMs, applyMs: summary?.durationMs ?? null, wallMs: Math.round(r.wallMs),
      succeeded: summary?.succeeded ?? 0, failed: summary?.failed ?? 0, ratioToBound: summary ? +(summary.durationMs / boundMs).toFixed(2) : null,
      requests: requestDelta(before, sims.requests()),
    };
    log(`creates (rate limit ${rateLimit ?? "default"}): ${count} in ${result.applyMs} ms at concurrency ${concurrency}; lone create ${perCreateMs} ms; ${result.ratioToBound}× the bound`);
    return result;
  } finally {
    await sims.close();
  }
}
