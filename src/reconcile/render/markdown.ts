import type { Plan, PlanStep } from "../plan-types.js";
import { showDrift, summaryLine, SYMBOL } from "./human.js";
import { renderCapacityMarkdown } from "./capacity.js";
import { renderCostMarkdown } from "./cost.js";
import { showValue } from "./values.js";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function action(step: PlanStep): string {
  if (step.blocked) return "⛔ blocked";
  if (step.error) return "⚠️ not read";
  if (step.adopt && step.action === "noop") return "adopt";
  if (step.recordOnly) return "record in state";
  return step.action;
}

/**
 * The plan as GitHub/GitLab-flavoured markdown for a pull-request comment: the summary line first,
 * a table of steps with their reasons, collapsible field diffs, drift, notes and errors.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  const steps = plan.steps.filter((s) => s.action !== "noop" || s.adopt || s.recordOnly || s.blocked || s.error);
  const anything = steps.length > 0;
  out.push(`### vmsync plan — \`${plan.stack}\``, "", anything ? `**${summaryLine(plan)}**` : "**No changes.** The infrastructure matches the manifests.", "");
  if (plan.cost) out.push(...renderCostMarkdown(plan.cost));
  if (plan.errors.length) out.push("> [!CAUTION]", ...plan.errors.map((e) => `> ${cell(e)}`), "");
  if (anything) {
    out.push("| | resource | action | why |", "| --- | --- | --- | --- |");
    for (const s of steps) out.push(`| \`${s.error ? "!" : SYMBOL[s.action].trim() || "·"}\` | \`${s.address}\` | ${action(s)} | ${cell(s.reason)} |`);
    out.push("");
    const withChanges = steps.filter((s) => s.changes.length);
    if (withChanges.length) {
      out.push("<details><summary>Field changes</summary>", "");
      for (const s of withChanges) {
        out.push(`**\`${s.address}\`**`, "", "```diff");
        for (const c of s.changes) {
          out.push(`- ${c.path}: ${showValue(c.before, c.path, s.sensitive)}`, `+ ${c.path}: ${showValue(c.after, c.path, s.sensitive)}${s.forcedBy?.includes(c.path) ? "   # forces replacement" : c.effect === "restart" ? "   # after restart" : ""}`);
        }
        out.push("```", "");
      }
      out.push("</details>", "");
    }
  }
  out.push(...renderCapacityMarkdown(plan.capacity ?? []));
  if (plan.drift.length) {
    out.push("<details><summary>Drift: changed outside vmsync since the last apply</summary>", "");
    for (const d of plan.drift) {
      if (d.type === "deleted") out.push(`- \`${d.address}\` was deleted`);
      else for (const c of d.changes) out.push(`- \`${d.address}\`: \`${c.path}\` was \`${showDrift(plan, d.address, c.path, c.applied)}\`, is now \`${showDrift(plan, d.address, c.path, c.observed)}\``);
    }
    out.push("", "</details>", "");
  }
  if (plan.unfinished?.length) {
    out.push("<details open><summary>Left half-done by a failed apply</summary>", "");
    for (const u of plan.unfinished) {
      out.push(`- \`${u.address}\`: the ${u.failed.action} at ${u.failed.at} failed: ${cell(u.failed.error)}`);
      for (const c of u.changes) out.push(`  - \`${c.path}\` was \`${showDrift(plan, u.address, c.path, c.applied)}\`, is now \`${showDrift(plan, u.address, c.path, c.observed)}\` (${cell(c.note)})`);
    }
    out.push("", "</details>", "");
  }
  for (const n of plan.notes) out.push(`- ${cell(n)}`);
  return out.join("\n").trimEnd() + "\n";
}
