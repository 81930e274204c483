#!/usr/bin/env node
// A/B of warm plans: two (or more) builds of the CLI plan the same kept fleet in turns against the
// same simulators, so that a machine whose speed drifts by ±15 % within an hour (as the benchmark
// machine does) still shows which build is faster. Needs a fleet kept by a scale run
// (`node bench/scale/run.mjs --sizes 1000 --only fleet --keep` prints its folder), and builds made
// with `npm run build` — copy a build's bin/, dist/, package.json, prices/ and schemas/ to a folder
// and link node_modules into it to keep it while you change the code.
//
//   node bench/scale/ab.mjs --fleet /tmp/vmsync-scale-XXXX/fleet-1000 --cli A/bin/vmsync.js --cli B/bin/vmsync.js
//        [--runs 9] [--latency-ms 20] [--dist dist] [--label ab]
//
// Every build plans once to warm its caches (compile cache, observation cache), then `--runs` times,
// alternating the order each round. Prints per build the median wall time and CPU (user + system)
// and writes bench/results/ab-<label>.json. Medians of runs taken in turns, never single runs.
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runCli } from "./cli.mjs";
import { startSims } from "./sims.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const { values: a } = parseArgs({
  options: {
    fleet: { type: "string" },
    cli: { type: "string", multiple: true },
    runs: { type: "string", default: "9" },
    "latency-ms": { type: "string", default: "20" },
    dist: { type: "string", default: join(repo, "dist") },
    label: { type: "string", default: "ab" },
  },
});
if (!a.fleet || !a.cli || a.cli.length < 2) throw new Error("usage: ab.mjs --fleet DIR --cli A/bin/vmsync.js --cli B/bin/vmsync.js [--runs 9]");
const fleet = resolve(a.fleet);
const clis = a.cli.map((c) => resolve(c));
const runs = Number(a.runs);
const sims = await startSims({ dist: resolve(a.dist), dir: join(fleet, "sim"), latencyMs: Number(a["latency-ms"]) });
const env = { ...process.env, ...sims.env };
const samples = new Map(clis.map((c) => [c, []]));

const planOnce = async (cli) => {
  const r = await runCli({ cli, args: ["plan", join(fleet, "fleet"), "--detailed-exitcode"], cwd: fleet, env });
  if (r.code !== 0) throw new Error(`${cli}: plan exited ${r.code} (a kept fleet plans with no changes)\n${r.stderr.slice(-2000)}`);
  return { seconds: r.wallMs / 1000, cpuSeconds: r.rusage ? (r.rusage.userCpuUs + r.rusage.systemCpuUs) / 1e6 : null, peakRssMiB: r.rusage ? Math.round(r.rusage.maxRssKiB / 1024) : null };
};
const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};

try {
  for (const cli of clis) await planOnce(cli); // warm-up: compile cache, observation cache
  for (let round = 0; round < runs; round++) {
    for (const cli of round % 2 ? [...clis].reverse() : clis) samples.get(cli).push(await planOnce(cli));
  }
} finally {
  await sims.close();
}

const builds = clis.map((cli) => {
  const s = samples.get(cli);
  return { cli, medianSeconds: median(s.map((x) => x.seconds)), medianCpuSeconds: median(s.map((x) => x.cpuSeconds)), peakRssMiB: Math.max(...s.map((x) => x.peakRssMiB ?? 0)) || null, samples: s };
});
const out = { label: a.label, date: new Date().toISOString(), command: `node bench/scale/ab.mjs ${process.argv.slice(2).join(" ")}`, fleet, runs, builds };
await writeFile(join(repo, "bench", "results", `ab-${a.label}.json`), `${JSON.stringify(out, null, 1)}\n`);
for (const b of builds) {
  const vs = b === builds[0] ? "" : `  (${((b.medianSeconds / builds[0].medianSeconds - 1) * 100).toFixed(0)} % wall, ${((b.medianCpuSeconds / builds[0].medianCpuSeconds - 1) * 100).toFixed(0)} % CPU vs the first)`;
  process.stdout.write(`${b.cli}: median ${b.medianSeconds.toFixed(2)} s, ${b.medianCpuSeconds?.toFixed(2)} CPU-s, peak ${b.peakRssMiB} MiB${vs}\n`);
}
