#!/usr/bin/env node
// The scale benchmark (`npm run bench` runs it at 1,000 resources; `npm run bench:scale` at 1,000,
// 5,000 and 10,000). Starts the simulators in this process, runs the compiled CLI as a child, and
// writes bench/results/scale-<label>.json plus a table on stdout. See README "Benchmarks".
//
//   node bench/scale/run.mjs [--sizes 1000,5000] [--latency-ms 20] [--label latest]
//        [--only fleet,creates,startup,watch] [--cli path/to/bin/vmsync.js] [--dist path/to/dist]
//        [--seed-cli path/to/bin/vmsync.js] [--idle-seconds 30] [--keep]
//
// Environment: VMSYNC_BENCH_SIZES (same as --sizes), VMSYNC_BENCH_LATENCY_MS.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createsScenario } from "./scenario-creates.mjs";
import { startupScenario, watchScenario } from "./scenario-daemon.mjs";
import { fleetScenario } from "./scenario-fleet.mjs";
import { renderTable } from "./table.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const { values: a } = parseArgs({
  options: {
    sizes: { type: "string", default: process.env.VMSYNC_BENCH_SIZES ?? "1000" },
    "latency-ms": { type: "string", default: process.env.VMSYNC_BENCH_LATENCY_MS ?? "20" },
    label: { type: "string", default: "latest" },
    only: { type: "string", default: "fleet,creates,startup,watch" },
    cli: { type: "string", default: join(repo, "bin", "vmsync.js") },
    dist: { type: "string", default: join(repo, "dist") },
    "seed-cli": { type: "string" },
    "idle-seconds": { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
  },
});
const cli = resolve(a.cli);
const dist = resolve(a.dist);
if (!existsSync(join(dist, "sim", "run-all.js"))) throw new Error(`${dist} has no compiled simulators: run \`npm run build\` first`);
const only = new Set(a.only.split(","));
const sizes = a.sizes.split(",").map(Number).filter((n) => n > 0);
const latencyMs = Number(a["latency-ms"]);
const log = (s) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const work = await mkdtemp(join(tmpdir(), "vmsync-scale-"));

const results = {
  label: a.label, date: new Date().toISOString(), command: `node bench/scale/run.mjs ${process.argv.slice(2).join(" ")}`.trim(), cli, dist,
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: release(), node: process.version, loadAtStart: loadavg().map((x) => +x.toFixed(2)) },
  fleets: [], creates: null, createsUnpaced: null, startup: null, watch: null,
};
const save = async () => {
  await mkdir(join(repo, "bench", "results"), { recursive: true });
  await writeFile(join(repo, "bench", "results", `scale-${a.label}.json`), JSON.stringify(results, null, 2) + "\n");
};
try {
  if (only.has("startup")) results.startup = await startupScenario({ cli, work });
  if (only.has("startup")) log(`startup: --version ${results.startup.versionMs} ms, node -e 0 ${results.startup.nodeMs} ms`);
  if (only.has("watch")) results.watch = await watchScenario({ cli, dist, work, log, idleSeconds: Number(a["idle-seconds"]) });
  if (only.has("creates")) results.creates = await createsScenario({ cli, dist, latencyMs, work, log });
  if (only.has("creates")) results.createsUnpaced = await createsScenario({ cli, dist, latencyMs, work, log, rateLimit: 1000 });
  await save();
  if (only.has("fleet")) {
    for (const n of sizes) {
      results.fleets.push(await fleetScenario({ n, cli, seedCli: resolve(a["seed-cli"] ?? cli), dist, latencyMs, work, log, repo }));
      await save();
    }
  }
  await save();
  process.stdout.write(renderTable(results));
} finally {
  if (!a.keep) await rm(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
