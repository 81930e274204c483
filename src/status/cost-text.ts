import { formatMoney } from "../reconcile/amounts.js";
import { costSource } from "../reconcile/render/cost.js";
import type { Cell } from "./columns.js";
import type { FleetReport, FleetRow } from "./fleet-schema.js";

/** A monthly amount that may be partly or wholly unknown: `$70.08`, `$70.08 + unknown`, `unknown`. */
function moneyText(monthly: number | null, unknown: number, currency: string): string {
  if (monthly === null) return "unknown";
  return unknown > 0 ? `${formatMoney(monthly, currency)} + unknown` : formatMoney(monthly, currency);
}

/** The cost cell of a row: its monthly cost now, `unknown` when not priced, a dash when it costs nothing. */
export function costCell(row: FleetRow): Cell {
  const c = row.cost;
  if (!c) return { text: "-", tone: "dim" };
  const text = moneyText(c.monthly, c.unknown, c.currency);
  return c.monthly === null || c.unknown > 0 ? { text, tone: "warn" } : { text };
}

function resources(n: number): string {
  return `${n} resource${n === 1 ? "" : "s"}`;
}

/**
 * The fleet's total below the table and where its prices come from, e.g. `Monthly cost now: $91.65
 * + unknown (1 resource not fully priced: prices not in the table, see vmsync prices update)` and
 * `retail pay-as-you-go list prices in USD from the table shipped with vmsync (2026-07-24)`;
 * undefined when no provider in use bills.
 */
export function costTotalText(report: FleetReport): { total: string; source: string } | undefined {
  const c = report.cost;
  if (!c) return undefined;
  // a row priced with no lines at all is one whose provider could not be observed
  const unobserved = report.resources.filter((r) => r.cost && r.cost.monthly === null && !r.cost.lines.length).length;
  const unpriced = c.unknown - unobserved;
  const why = [
    ...(unpriced > 0 ? [`${resources(unpriced)} not fully priced: prices not in the table, see vmsync prices update`] : []),
    ...(unobserved > 0 ? [`${resources(unobserved)} not priced: their provider could not be observed`] : []),
  ];
  return { total: `Monthly cost now: ${moneyText(c.monthly, c.unknown, c.currency)}${why.length ? ` (${why.join("; ")})` : ""}`, source: costSource(c) };
}
