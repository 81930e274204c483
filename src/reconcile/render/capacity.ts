import type { Colors } from "../../cli/io.js";
import { formatAmount } from "../amounts.js";
import type { CapacityLine } from "../plan-types.js";

/** `24GiB + 16GiB → 40GiB of 128GiB (31 %)`: now, what the plan adds, after, allocatable. */
export function capacityText(l: CapacityLine): string {
  const f = (n: number) => formatAmount(l.unit, n);
  const pct = l.total > 0 ? ` (${Math.round((100 * l.after) / l.total)} %)` : "";
  return `${f(l.used)} ${l.needed < 0 ? "−" : "+"} ${f(Math.abs(l.needed))} → ${f(l.after)} of ${f(l.total)}${pct}`;
}

const MARK: Record<CapacityLine["status"], string> = { ok: "✓", warning: "!", over: "✗" };

/** The human plan's capacity section: every pool the plan changes, warnings and blocks marked. */
export function renderCapacityHuman(lines: CapacityLine[], c: Colors): string[] {
  if (!lines.length) return [];
  const out = [c.bold("Capacity (what the plan allocates):"), ""];
  for (const l of lines) {
    const col = l.status === "over" ? c.red : l.status === "warning" ? c.yellow : c.green;
    const tail = l.status === "warning" ? c.yellow("  near full (> 90 %)") : l.status === "over" ? c.red("  a step does not fit") : "";
    out.push(`  ${col(MARK[l.status])} ${l.provider}: ${l.label}: ${capacityText(l)}${tail}`);
  }
  out.push("");
  return out;
}

/** The pull-request comment's capacity table (only when the plan changes a pool). */
export function renderCapacityMarkdown(lines: CapacityLine[]): string[] {
  if (!lines.length) return [];
  const out = ["<details><summary>Capacity</summary>", "", "| | provider | pool | now → after the plan |", "| --- | --- | --- | --- |"];
  for (const l of lines) out.push(`| ${l.status === "over" ? "⛔" : l.status === "warning" ? "⚠️" : "✅"} | ${l.provider} | ${l.label} | ${capacityText(l)} |`);
  out.push("", "</details>", "");
  return out;
}
