import type { Colors } from "../cli/io.js";
import type { FleetReport, FleetSection } from "./fleet-schema.js";
import { CAPACITY_COLUMNS, capacityCells } from "./capacity-section.js";
import { problemLines, summaryText, visibleColumns, type Cell, type Tone } from "./columns.js";
import { costTotalText } from "./cost-text.js";

/** Renders one section as terminal lines (after its title). */
export type TextSectionRenderer = (section: FleetSection, c: Colors, now: Date) => string[];

/**
 * Terminal renderers of section types that need more than the generic table (`columns`/`rows`/
 * `notes`). A section type without an entry is rendered generically.
 */
export const TEXT_SECTION_RENDERERS: Record<string, TextSectionRenderer> = {
  capacity: (s, c) => [...(s.pools?.length ? textTable(CAPACITY_COLUMNS, s.pools.map(capacityCells), c) : []), ...(s.notes ?? []).map((n) => c.dim(n))],
};

function paint(c: Colors, tone: Tone | undefined, s: string): string {
  switch (tone) {
    case "ok": return c.green(s);
    case "warn": return c.yellow(s);
    case "bad": return c.red(s);
    case "info": return c.cyan(s);
    case "dim": return c.dim(s);
    default: return s;
  }
}

/** Aligned columns (widths from the plain text, colour added after padding). */
export function textTable(headers: string[], rows: Cell[][], c: Colors): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.text.length ?? 0)));
  const line = (cells: Cell[], bold: boolean) =>
    cells.map((cell, i) => {
      const padded = i === cells.length - 1 ? cell.text : cell.text.padEnd(widths[i]!);
      return bold ? c.bold(padded) : paint(c, cell.tone, padded);
    }).join("  ").trimEnd();
  return [line(headers.map((h) => ({ text: h })), true), ...rows.map((r) => line(r, false))];
}

function genericSection(s: FleetSection, c: Colors): string[] {
  const out: string[] = [];
  if (s.columns && s.rows) out.push(...textTable(s.columns, s.rows.map((r) => r.map((text) => ({ text }))), c));
  for (const n of s.notes ?? []) out.push(c.dim(n));
  return out;
}

/**
 * The terminal view of a fleet report: the table, the summary line, the monthly cost, why providers
 * could not be observed, what failed or is blocked, then each section (capacity and others).
 */
export function renderFleetText(report: FleetReport, c: Colors): string {
  const now = new Date(report.generatedAt);
  const cols = visibleColumns(report);
  const out: string[] = [];
  if (report.resources.length) out.push(...textTable(cols.map((x) => x.header), report.resources.map((r) => cols.map((x) => x.cell(r, now))), c), "");
  out.push(c.bold(summaryText(report)));
  const cost = costTotalText(report);
  if (cost) out.push(cost.total, c.dim(`  ${cost.source}`));
  for (const p of report.providers.filter((x) => !x.reachable)) out.push(`${c.red("unreachable:")} provider ${p.name}${p.error ? `: ${p.error}` : ""}`);
  const problems = problemLines(report);
  if (problems.length) out.push("", ...problems.map((l) => `  ${c.red("!")} ${l}`));
  for (const s of report.sections) {
    const body = (TEXT_SECTION_RENDERERS[s.type] ?? ((x: FleetSection, col: Colors) => genericSection(x, col)))(s, c, now);
    out.push("", c.bold(s.title), ...body);
  }
  return out.join("\n") + "\n";
}
