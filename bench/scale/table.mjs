// Renders the results of a scale benchmark run as the markdown table of the README.

const s = (x, unit = " s") => (x === null || x === undefined ? "—" : `${x}${unit}`);

/** The issue's rows, with this run's figures. */
export function renderTable(r) {
  const rows = [];
  for (const f of r.fleets) {
    const req = (p) => Object.entries(p.requests ?? {}).map(([k, v]) => `${k} ${v.total}`).join(", ");
    rows.push([`plan, ${f.size} resources (warm${f.planWarm.samplesSeconds ? `, median of ${f.planWarm.samplesSeconds.length}` : ""})`, `${s(f.planWarm.seconds)}, ${s(f.planWarm.peakRssMiB, " MiB")} peak RSS; requests: ${req(f.planWarm)}`, `${s(f.baseline.seconds)} (${f.ratios.baselineOverPlanWarm}× slower)`]);
    rows.push([`plan, ${f.size} resources (cold: no observation cache)`, `${s(f.planCold.seconds)}, ${s(f.planCold.peakRssMiB, " MiB")}; requests: ${req(f.planCold)}`, `${f.ratios.baselineOverPlanCold}×`]);
    rows.push([`apply ${f.size} creates at latency 0`, `${s(f.apply.seconds)}; ${f.apply.succeeded} ok, ${f.apply.failed} failed; steps/min by minute ${f.apply.stepsPerMinute.join(" ")}; peak RSS ${s(f.apply.peakRssMiB, " MiB")}`, ""]);
  }
  if (r.createsUnpaced) rows.push([`apply ${r.createsUnpaced.creates} Proxmox creates, rateLimit 1000`, `${r.createsUnpaced.ratioToBound}× the bound`, ""]);
  if (r.creates) rows.push([`apply ${r.creates.creates} Proxmox creates`, `${r.creates.ratioToBound}× the bound (${r.creates.applyMs} ms; ${r.creates.concurrency} in flight × lone create ${r.creates.perCreateMs} ms)`, ""]);
  if (r.startup) rows.push(["`vmsync --version`", `${r.startup.versionMs} ms (${r.startup.ratioToNode}× \`node -e 0\` = ${r.startup.nodeMs} ms)`, ""]);
  if (r.watch) rows.push(["watch: save → plan start", `${r.watch.saveToPlanStartMs} ms (median of ${r.watch.delaysMs.length})`, ""]);
  if (r.watch) rows.push(["idle daemon CPU", `${s(r.watch.idleCpuPercent, " %")} over ${r.watch.idleSeconds} s${r.watch.idleSteadyPercent != null ? `; median 5-s slice ${r.watch.idleSteadyPercent} % (slices: ${r.watch.idleSlicesPercent.join(" ")})` : ""}`, ""]);
  const head = `\n${r.label} — ${r.machine.cpu} × ${r.machine.cores}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; latency ${r.fleets[0]?.latencyMs ?? "—"} ms\n\n| measure | vmsync | baseline |\n|---|---|---|\n`;
  return head + rows.map((x) => `| ${x.join(" | ")} |`).join("\n") + "\n";
}
