import pc from "picocolors";
import { renderPlanHuman } from "../../reconcile/render/human.js";
import { planToJson } from "../../reconcile/render/json.js";
import { SENSITIVE, showValue } from "../../reconcile/render/values.js";
import type { Plan } from "../../reconcile/plan-types.js";
import type { FleetReport } from "../../status/fleet-schema.js";
import { relativeTime } from "../../status/time-text.js";
import type { HistoryEntry } from "../../state/contract.js";
import type { DaemonStatus } from "../status.js";
import { scrollTable } from "./fleet-html.js";
import { html, type Html } from "./html.js";

const when = (iso: string | undefined, now: Date) => (iso ? html`<time datetime="${iso}" title="${iso}">${relativeTime(iso, now)}</time>` : html`<span class="muted">never</span>`);

/** Daemon health: mode, readiness, leadership, the last reconcile, manifest errors, change windows. */
export function healthHtml(s: DaemonStatus, now: Date): Html {
  const last = s.lastReconcile;
  const outcome = last ? (last.outcome === "failed" ? "t-bad" : last.outcome === "invalid" ? "t-bad" : "t-ok") : "";
  return html`<h2 id="h-health">Daemon</h2>
<dl class="facts">
<div><dt>Stack</dt><dd>${s.stack}</dd></div>
<div><dt>Mode</dt><dd>${s.mode}</dd></div>
<div><dt>Ready</dt><dd class="${s.ready ? "t-ok" : "t-warn"}">${s.ready ? "yes" : "not yet"}</dd></div>
<div><dt>Leader</dt><dd>${s.leader.isLeader ? "yes" : "no"} <span class="muted">(${s.leader.describe})</span></dd></div>
<div><dt>Last reconcile</dt><dd class="${outcome}">${last ? html`${last.outcome}, ${when(last.finishedAt, now)} (${(last.durationMs / 1000).toFixed(1)} s)${last.heldBack ? html` — held back: ${last.heldBack}` : ""}` : "not yet"}</dd></div>
${s.revision ? html`<div><dt>Revision</dt><dd><code>${s.revision.slice(0, 12)}</code></dd></div>` : ""}
<div><dt>Change windows</dt><dd>${s.changeWindows.windows.length ? html`${s.changeWindows.open ? "open" : "closed"}${s.changeWindows.nextOpen ? html`, next opens ${when(s.changeWindows.nextOpen, now)}` : ""}` : "none (always open)"}</dd></div>
<div><dt>Since</dt><dd>${when(s.startedAt, now)}</dd></div>
</dl>
${last?.error ? html`<p class="t-bad" role="alert">Last reconcile failed: ${last.error}</p>` : ""}
${s.manifests.valid ? "" : html`<div class="t-bad" role="alert"><p>The manifests have errors; nothing is observed or applied until they are fixed:</p><pre>${s.manifests.errors.join("\n")}</pre></div>`}`;
}

const shown = (v: unknown, path: string) => (v === SENSITIVE ? SENSITIVE : showValue(v, path, []));

/** Drift: each resource changed outside vmsync, with a field-by-field table (secrets masked). */
export function driftHtml(plan: Plan | undefined): Html {
  if (!plan) return html`<h2 id="h-drift">Drift</h2><p class="muted">Waiting for the first reconcile…</p>`;
  const masked = planToJson(plan);
  if (!masked.drift.length) return html`<h2 id="h-drift">Drift</h2><p class="t-ok">No drift: everything is as vmsync last applied it.</p>`;
  return html`<h2 id="h-drift">Drift</h2><p>Changed outside vmsync since the last apply:</p>
${masked.drift.map((d, i) => d.type === "deleted"
    ? html`<h3>${d.address}</h3><p class="t-bad">Deleted outside vmsync.</p>`
    : html`<h3>${d.address}</h3>${scrollTable(`drift-${i}`, `Drift of ${d.address}`, html`<table class="stack"><thead><tr><th scope="col">Field</th><th scope="col">Applied</th><th scope="col">Now</th></tr></thead><tbody>${d.changes.map((c) => html`<tr><th scope="row" data-label="Field"><code>${c.path}</code></th><td data-label="Applied"><code>${shown(c.applied, c.path)}</code></td><td data-label="Now" class="t-warn"><code>${shown(c.observed, c.path)}</code></td></tr>`)}</tbody></table>`)}`)}`;
}

function planLineClass(line: string): string {
  const t = line.trimStart();
  if (t.startsWith("#")) return "p-comment";
  if (t.startsWith("-/+")) return "p-replace";
  if (t.startsWith("+")) return "p-add";
  if (t.startsWith("~")) return "p-change";
  if (t.startsWith("-")) return "p-del";
  if (t.startsWith("!") || t.startsWith("error:")) return "p-warn";
  return "";
}

/** The last plan, rendered exactly as the terminal shows it (secrets masked), without colour codes. */
export function planHtml(plan: Plan | undefined): Html {
  if (!plan) return html`<h2 id="h-plan">Last plan</h2><p class="muted">Waiting for the first reconcile…</p>`;
  const text = renderPlanHuman(planToJson(plan), pc.createColors(false)).trimEnd();
  return html`<h2 id="h-plan">Last plan</h2><pre class="plan" id="plan-text" tabindex="0" aria-label="Plan output">${text.split("\n").map((l) => html`<span class="${planLineClass(l)}">${l}</span>\n`)}</pre>`;
}

/** Schedules: vmsync's own (last run, result, next run from the daemon) and native ones (from the fleet). */
export function schedulesHtml(s: DaemonStatus, fleet: FleetReport | undefined, now: Date): Html {
  const native = (fleet?.resources ?? []).filter((r) => r.schedule?.native);
  const own = s.schedules.length ? s.schedules : (fleet?.resources ?? []).filter((r) => r.schedule && !r.schedule.native).map((r) => ({ name: r.name, cron: r.schedule!.cron, targets: r.schedule!.targets, lastRun: r.schedule!.lastRun, lastResult: r.schedule!.lastResult, nextRun: r.schedule!.nextRun, lastError: undefined as string | undefined }));
  if (!own.length && !native.length) return html`<h2 id="h-schedules">Schedules</h2><p class="muted">No snapshot schedules.</p>`;
  const row = (name: string, runsOn: string, cron: string, targets: string[], lastRun: string | undefined, result: string | undefined, next: string | undefined, error?: string) =>
    html`<tr><th scope="row" data-label="Schedule">${name}</th><td data-label="Runs on">${runsOn}</td><td data-label="Cron (UTC)"><code>${cron}</code></td><td data-label="Targets">${targets.join(", ")}</td><td data-label="Last run">${runsOn === "vmsync" ? when(lastRun, now) : html`<span class="muted">on the provider</span>`}</td><td data-label="Result" class="${result === "succeeded" ? "t-ok" : result ? "t-bad" : ""}">${result ?? ""}${error ? html` — ${error}` : ""}</td><td data-label="Next run">${next ? when(next, now) : ""}</td></tr>`;
  return html`<h2 id="h-schedules">Schedules</h2>${scrollTable("schedules-table", "Schedules", html`<table class="stack"><thead><tr><th scope="col">Schedule</th><th scope="col">Runs on</th><th scope="col">Cron (UTC)</th><th scope="col">Targets</th><th scope="col">Last run</th><th scope="col">Result</th><th scope="col">Next run</th></tr></thead><tbody>
${own.map((x) => row(x.name, "vmsync", x.cron, x.targets, x.lastRun, x.lastResult, x.nextRun, x.lastError))}
${native.map((r) => row(r.address.replace(/^SnapshotSchedule\//, ""), r.provider ?? "", r.schedule!.cron, r.schedule!.targets, undefined, undefined, r.schedule!.nextRun))}
</tbody></table>`)}`;
}

/** History: the newest applies, snapshot runs and actions — who, when, what, result. */
export function historyHtml(entries: HistoryEntry[], now: Date): Html {
  if (!entries.length) return html`<h2 id="h-history">History</h2><p class="muted">Nothing applied yet.</p>`;
  return html`<h2 id="h-history">History</h2>${scrollTable("history-table", "History", html`<table class="stack"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Command</th><th scope="col">Result</th><th scope="col">Changes</th></tr></thead><tbody>
${entries.map((h) => {
    const s = h.summary;
    const failed = h.steps.filter((x) => x.result === "failed");
    return html`<tr><th scope="row" data-label="When">${when(h.startedAt, now)}</th><td data-label="Who">${h.user}@${h.host}</td><td data-label="Command"><code>${h.command}</code></td><td data-label="Result" class="${h.result === "succeeded" ? "t-ok" : "t-bad"}">${h.result}${failed.length ? html`<ul>${failed.map((f) => html`<li>${f.address}: ${f.error ?? "failed"}</li>`)}</ul>` : ""}</td><td data-label="Changes">+${s.create} ~${s.update} -/+${s.replace} -${s.delete} <span class="muted">(${h.steps.length} step${h.steps.length === 1 ? "" : "s"})</span></td></tr>`;
  })}</tbody></table>`)}`;
}
