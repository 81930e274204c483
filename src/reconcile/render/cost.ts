import type { Colors } from "../../cli/io.js";
import { formatMoney } from "../amounts.js";
import type { CostSide, PlanCost } from "../plan-types.js";

const UNKNOWN = "unknown";

function money(side: CostSide | undefined, currency: string): string {
  if (!side) return formatMoney(0, currency);
  if (side.unknown && side.monthly === 0) return UNKNOWN;
  return side.unknown ? `${formatMoney(side.monthly, currency)} + ${UNKNOWN}` : formatMoney(side.monthly, currency);
}

/** The change of a resource's cost: signed money, or unknown when the side that changed has unpriced lines. */
function change(r: PlanCost["resources"][number], currency: string): string {
  const unknown = (r.after?.unknown ?? 0) + (r.before?.unknown ?? 0) > 0 && JSON.stringify(r.after) !== JSON.stringify(r.before);
  if (unknown && r.delta === 0) return UNKNOWN;
  return `${formatMoney(r.delta, currency, true)}${unknown ? ` + ${UNKNOWN}` : ""}`;
}

/** A side's total: "$86.08", "$86.08 + unknown", or "unknown" when nothing on that side has a price. */
function totalText(cost: PlanCost, monthly: number, side: "before" | "after"): string {
  const partial = cost.resources.some((r) => (r[side]?.unknown ?? 0) > 0);
  return partial && monthly === 0 ? UNKNOWN : `${formatMoney(monthly, cost.currency)}${partial ? ` + ${UNKNOWN}` : ""}`;
}

/** The one-line cost summary, an API once published: `Monthly cost: $0.00 → $91.65 (+$91.65)`. */
export function costSummaryLine(cost: PlanCost): string {
  const unknown = cost.unknown ? `; ${cost.unknown} price${cost.unknown === 1 ? "" : "s"} unknown (not in the table)` : "";
  return `Monthly cost: ${totalText(cost, cost.monthlyBefore, "before")} → ${totalText(cost, cost.monthlyAfter, "after")} (${formatMoney(cost.delta, cost.currency, true)})${unknown}`;
}

/** Where the prices come from, for people. */
export function costSource(cost: Pick<PlanCost, "currency" | "priceTable" | "priceDate">): string {
  return `retail pay-as-you-go list prices in ${cost.currency} from the ${cost.priceTable === "cache" ? "table `vmsync prices update` cached" : "table shipped with vmsync"} (${cost.priceDate})`;
}

/**
 * The human plan's cost section: per resource its monthly cost after the plan and the change, with
 * its priced lines; only the summary line when the plan changes nothing.
 */
export function renderCostHuman(cost: PlanCost, c: Colors, changes = true): string[] {
  if (!changes) return [c.dim(costSummaryLine(cost)), ""];
  const out = [c.bold(`Cost estimate (${costSource(cost)}):`), ""];
  for (const r of cost.resources) {
    const now = r.after ? `${money(r.after, cost.currency)}/month` : "deleted";
    const delta = change(r, cost.currency);
    const shown = delta === formatMoney(0, cost.currency, true) ? c.dim("(no change)") : r.delta > 0 ? c.yellow(`(${delta})`) : r.delta < 0 ? c.green(`(${delta})`) : `(${delta})`;
    out.push(`  ${r.address}: ${now} ${shown}`);
    for (const l of (r.after ?? r.before)!.lines) out.push(c.dim(`      ${l.description}: ${l.monthly === null ? UNKNOWN : formatMoney(l.monthly, cost.currency)}`));
  }
  out.push("", c.bold(costSummaryLine(cost)), "");
  return out;
}

/** The pull-request comment's cost line (Infracost-style) and a collapsible breakdown. */
export function renderCostMarkdown(cost: PlanCost): string[] {
  const dir = cost.delta > 0 ? "increase" : cost.delta < 0 ? "decrease" : "stay";
  // an unknown price is never shown as $0: "stay at **unknown**", "(unknown → $12.00 + unknown)"
  const head = dir === "stay"
    ? `💰 Monthly cost will stay at **${totalText(cost, cost.monthlyAfter, "after")}**`
    : `💰 Monthly cost will ${dir} by **${formatMoney(Math.abs(cost.delta), cost.currency)}** (${totalText(cost, cost.monthlyBefore, "before")} → ${totalText(cost, cost.monthlyAfter, "after")})`;
  const out = [`${head}${cost.unknown ? ` — ${cost.unknown} price${cost.unknown === 1 ? "" : "s"} unknown` : ""}`, "", "<details><summary>Cost breakdown</summary>", "", "| resource | now | after | change |", "| --- | --- | --- | --- |"];
  for (const r of cost.resources) out.push(`| \`${r.address}\` | ${r.before ? money(r.before, cost.currency) : "—"} | ${r.after ? money(r.after, cost.currency) : "—"} | ${change(r, cost.currency)} |`);
  out.push("", `Estimated from ${costSource(cost)}; unknown prices are not counted.`, "", "</details>", "");
  return out;
}
