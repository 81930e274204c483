#!/usr/bin/env node
// Prints the issue's table (#12) from scale benchmark results: `before` and `after` columns, each
// from one or more result files (bench/results/scale-*.json), the per-resource-refresh baseline of
// the "after" run and the goal.
//   node bench/scale/compare.mjs --before bench/results/scale-before-1000.json --after bench/results/scale-after-1000.json [--after …]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({ options: { before: { type: "string", multiple: true, default: [] }, after: { type: "string", multiple: true, default: [] } } });
const load = (files) => files.map((f) => JSON.parse(readFileSync(f, "utf8")));
const merge = (runs) => ({
  fleets: runs.flatMap((r) => r.fleets ?? []),
  creates: runs.find((r) => r.creates)?.creates,
  createsUnpaced: runs.find((r) => r.createsUnpaced)?.createsUnpaced,
  startup: runs.find((r) => r.startup)?.startup,
  watch: runs.find((r) => r.watch)?.watch,
  machine: runs[0]?.machine,
});
const before = merge(load(a.before));
const after = merge(load(a.after));
const fleet = (r, n) => r.fleets.find((f) => f.size === n);
const s = (x, d = 1) => (x === undefined || x === null ? "—" : `${Number(x).toFixed(d)} s`);
const reqs = (p) => (p?.requests ? Object.values(p.requests).reduce((t, v) => t + v.total, 0) : undefined);

function planRow(n, goal) {
  const b = fleet(before, n);
  const f = fleet(after, n);
  const cell = (x, warm) => {
    if (!x) return "not measured";
    const p = warm ? x.planWarm : x.planCold;
    const cpu = p.cpuSeconds ? `, ${p.cpuSeconds} s CPU` : "";
    return `${s(p.seconds, 2)}${cpu} (${(x.baseline.seconds / p.seconds).toFixed(1)}× faster than the baseline's ${s(x.baseline.seconds, 2)}; ${reqs(p)} requests; peak RSS ${p.peakRssMiB} MiB)`;
  };
  return [`plan, ${n.toLocaleString("en")} resources on 3 providers`, b ? cell(b, false) : "not measured", f ? `warm: ${cell(f, true)}; cold (no observation cache): ${s(f.planCold.seconds, 2)}` : "not measured", goal];
}

function applyRow(n, goal) {
  const b = fleet(before, n);
  const f = fleet(after, n);
  const cell = (x) => (x ? `${s(x.apply.seconds, 0)} for ${x.apply.succeeded} creates (${x.apply.failed} failed); steps/min by minute: ${x.apply.stepsPerMinute.join(", ")}` : "not measured");
  return [`apply ${n.toLocaleString("en")} creates, latency 0`, cell(b), cell(f), goal];
}

const c = (x) => (x ? `${x.ratioToBound}× the bound (${(x.applyMs / 1000).toFixed(1)} s; ${x.concurrency} in flight × ${x.perCreateMs} ms a lone create)` : "not measured");
const v = (x) => (x ? `${x.versionMs} ms (${x.ratioToNode}× \`node -e 0\`, ${x.nodeMs} ms)` : "not measured");
const rows = [
  planRow(1000, "≤ 1.5 s, ≥ 3× faster than the baseline"),
  planRow(5000, "≤ 5 s"),
  planRow(10000, "≤ 10 s, peak RSS ≤ 300 MB"),
  ["apply 200 Proxmox creates", c(before.creates), c(after.creates), "≤ 1.2×"],
  ["… the same with `rateLimit: 1000`", c(before.createsUnpaced), c(after.createsUnpaced), ""],
  applyRow(1000, ""),
  applyRow(5000, "steady rate"),
  applyRow(10000, "≤ 15 min"),
  ["`vmsync --version`", v(before.startup), v(after.startup), "≤ 0.25 s"],
  ["watch: save → plan start", before.watch ? `${before.watch.saveToPlanStartMs} ms` : "—", after.watch ? `${after.watch.saveToPlanStartMs} ms` : "—", "≤ 300 ms"],
  ["idle daemon CPU", before.watch ? `${before.watch.idleCpuPercent} %` : "—", after.watch ? `${after.watch.idleCpuPercent} %` : "—", "≤ 0.2 %"],
];
process.stdout.write(`| measure | before | after | goal |\n|---|---|---|---|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
