import { problemLines, summaryText, visibleColumns, type Tone } from "../../status/columns.js";
import type { FleetReport, FleetSection } from "../../status/fleet-schema.js";
import { html, type Html } from "./html.js";

/** Renders one section below the fleet table as markup (after its heading). */
export type HtmlSectionRenderer = (section: FleetSection, now: Date) => Html;

/**
 * Web renderers of section types that need more than the generic table (`columns`/`rows`/`notes`);
 * the counterpart of TEXT_SECTION_RENDERERS. A type without an entry is rendered generically.
 */
export const HTML_SECTION_RENDERERS: Record<string, HtmlSectionRenderer> = {};

/** The CSS class of a tone (colour is never the only signal: the text says the same). */
export function toneClass(tone: Tone | undefined): string {
  return tone ? `t-${tone}` : "";
}

/** A table in a keyboard-scrollable region (narrow screens scroll it sideways or stack its cells). */
export function scrollTable(id: string, label: string, table: Html): Html {
  return html`<div class="scroll" id="${id}" tabindex="0" role="region" aria-label="${label}">${table}</div>`;
}

function genericSection(s: FleetSection): Html {
  const table = s.columns && s.rows
    ? html`<table class="stack"><thead><tr>${s.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${s.rows.map((r) => html`<tr>${r.map((cell, i) => html`<td data-label="${s.columns![i] ?? ""}">${cell}</td>`)}</tr>`)}</tbody></table>`
    : html``;
  return html`${table}${(s.notes ?? []).map((n) => html`<p class="note">${n}</p>`)}`;
}

/**
 * The fleet section: the same columns as `vmsync status` (one definition, src/status/columns.ts),
 * with the address as each row's header, then the summary, unreachable providers, problems and the
 * sections below the table (capacity and others).
 */
export function fleetHtml(report: FleetReport | undefined): Html {
  if (!report) return html`<h2 id="h-fleet">Fleet</h2><p class="muted">Waiting for the first reconcile…</p>`;
  const now = new Date(report.generatedAt);
  const cols = visibleColumns(report);
  const table = html`<table class="stack fleet"><caption>Managed resources of stack ${report.stack}, as of <time datetime="${report.generatedAt}">${report.generatedAt.slice(11, 19)} UTC</time></caption>
<thead><tr>${cols.map((c) => html`<th scope="col">${c.header.toLowerCase().replace(/^./, (x) => x.toUpperCase())}</th>`)}</tr></thead>
<tbody>${report.resources.map((r) => html`<tr data-address="${r.address}" data-sync="${r.sync.state}">${cols.map((c, i) => {
    const cell = c.cell(r, now);
    const label = c.header.toLowerCase().replace(/^./, (x) => x.toUpperCase());
    return i === 0 ? html`<th scope="row" data-label="${label}">${cell.text}</th>` : html`<td data-label="${label}" class="${toneClass(cell.tone)}">${cell.text}</td>`;
  })}</tr>`)}</tbody></table>`;
  const unreachable = report.providers.filter((p) => !p.reachable);
  const problems = problemLines(report);
  return html`<h2 id="h-fleet">Fleet</h2>
${scrollTable("fleet-table", "Fleet table", table)}
<p class="summary">${summaryText(report)}</p>
${unreachable.length ? html`<ul class="problems">${unreachable.map((p) => html`<li class="t-bad">Provider ${p.name} could not be observed${p.error ? html`: ${p.error}` : ""}</li>`)}</ul>` : ""}
${problems.length ? html`<ul class="problems">${problems.map((l) => html`<li>${l}</li>`)}</ul>` : ""}
${report.sections.map((s) => html`<h3>${s.title}</h3>${(HTML_SECTION_RENDERERS[s.type] ?? genericSection)(s, now)}`)}`;
}
