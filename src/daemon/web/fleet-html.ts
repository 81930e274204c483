import { CAPACITY_COLUMNS, capacityCells } from "../../status/capacity-section.js";
import { problemLines, summaryText, visibleColumns, type Tone } from "../../status/columns.js";
import { costTotalText } from "../../status/cost-text.js";
import type { FleetReport, FleetSection } from "../../status/fleet-schema.js";
import { html, type Html } from "./html.js";

/** Renders one section below the fleet table as markup (after its heading). */
export type HtmlSectionRenderer = (section: FleetSection, now: Date) => Html;

/**
 * Web renderers of section types that need more than the generic table (`columns`/`rows`/`notes`);
 * the counterpart of TEXT_SECTION_RENDERERS. A type without an entry is rendered generically.
 */
export const HTML_SECTION_RENDERERS: Record<string, HtmlSectionRenderer> = {
  capacity: (s) => capacityHtml(s),
};

/** The CSS class of a tone (colour is never the only signal: the text says the same). */
export function toneClass(tone: Tone | undefined): string {
  return tone ? `t-${tone}` : "";
}

/** A table in a keyboard-scrollable region (narrow screens scroll it sideways or stack its cells). */
export function scrollTable(id: string, label: string, table: Html): Html {
  return html`<div class="scroll" id="${id}" tabindex="0" role="region" aria-label="${label}">${table}</div>`;
}

const label = (header: string) => header.toLowerCase().replace(/^./, (x) => x.toUpperCase());

/** A provider's capacity: one row per pool (its label the row header), the use cell toned and worded. */
function capacityHtml(s: FleetSection): Html {
  const head = html`<thead><tr>${CAPACITY_COLUMNS.map((c) => html`<th scope="col">${label(c)}</th>`)}</tr></thead>`;
  const rows = (s.pools ?? []).map((p) => html`<tr data-pool="${p.key}" data-status="${p.status}">${capacityCells(p).map((cell, i) => (i === 0
    ? html`<th scope="row" data-label="${label(CAPACITY_COLUMNS[i]!)}">${cell.text}</th>`
    : html`<td data-label="${label(CAPACITY_COLUMNS[i]!)}" class="${toneClass(cell.tone)}">${cell.text}</td>`))}</tr>`);
  const table = rows.length ? scrollTable(`capacity-${s.provider ?? "x"}`, s.title, html`<table class="stack capacity" data-provider="${s.provider ?? ""}">${head}<tbody>${rows}</tbody></table>`) : "";
  return html`${table}${(s.notes ?? []).map((n) => html`<p class="note muted">${n}</p>`)}`;
}

function genericSection(s: FleetSection): Html {
  const table = s.columns && s.rows
    ? html`<table class="stack"><thead><tr>${s.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${s.rows.map((r) => html`<tr>${r.map((cell, i) => html`<td data-label="${s.columns![i] ?? ""}">${cell}</td>`)}</tr>`)}</tbody></table>`
    : html``;
  return html`${table}${(s.notes ?? []).map((n) => html`<p class="note">${n}</p>`)}`;
}

/**
 * The fleet section: the same columns as `vmsync status` (one definition, src/status/columns.ts),
 * with the address as each row's header, then the summary, the monthly cost, unreachable
 * providers, problems and the sections below the table (capacity and others).
 */
export function fleetHtml(report: FleetReport | undefined): Html {
  if (!report) return html`<h2 id="h-fleet">Fleet</h2><p class="muted">Waiting for the first reconcile…</p>`;
  const now = new Date(report.generatedAt);
  const cols = visibleColumns(report);
  const table = html`<table class="stack fleet"><caption>Managed resources of stack ${report.stack}, as of <time datetime="${report.generatedAt}">${report.generatedAt.slice(11, 19)} UTC</time></caption>
<thead><tr>${cols.map((c) => html`<th scope="col">${label(c.header)}</th>`)}</tr></thead>
<tbody>${report.resources.map((r) => html`<tr data-address="${r.address}" data-sync="${r.sync.state}">${cols.map((c, i) => {
    const cell = c.cell(r, now);
    return i === 0 ? html`<th scope="row" data-label="${label(c.header)}">${cell.text}</th>` : html`<td data-label="${label(c.header)}" class="${toneClass(cell.tone)}">${cell.text}</td>`;
  })}</tr>`)}</tbody></table>`;
  const unreachable = report.providers.filter((p) => !p.reachable);
  const problems = problemLines(report);
  const cost = costTotalText(report);
  return html`<h2 id="h-fleet">Fleet</h2>
${scrollTable("fleet-table", "Fleet table", table)}
<p class="summary">${summaryText(report)}</p>
${cost ? html`<p class="cost">${cost.total}<br><span class="muted">${cost.source}</span></p>` : ""}
${unreachable.length ? html`<ul class="problems">${unreachable.map((p) => html`<li class="t-bad">Provider ${p.name} could not be observed${p.error ? html`: ${p.error}` : ""}</li>`)}</ul>` : ""}
${problems.length ? html`<ul class="problems">${problems.map((l) => html`<li>${l}</li>`)}</ul>` : ""}
${report.sections.map((s) => html`<h3>${s.title}</h3>${(HTML_SECTION_RENDERERS[s.type] ?? genericSection)(s, now)}`)}`;
}
