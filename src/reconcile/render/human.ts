import { createTwoFilesPatch } from "diff";
import type { Colors } from "../../cli/io.js";
import { guestHint } from "../../guest/hints.js";
import { GUEST_PROVIDER } from "../../manifest/model.js";
import type { FieldChange } from "../../providers/contract.js";
import { hasChanges, unreadableSteps, type Plan, type PlanStep } from "../plan-types.js";
import { renderCapacityHuman } from "./capacity.js";
import { renderCostHuman } from "./cost.js";
import { isMultiline, isSensitive, showValue } from "./values.js";

/** Terraform's symbols: `+` create, `~` update in place, `-/+` replace (delete, then create), `-` delete. */
export const SYMBOL: Record<PlanStep["action"], string> = { create: "+", update: "~", replace: "-/+", delete: "-", noop: " " };

/** The summary line, an API once published. */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}

function headline(step: PlanStep): string {
  const where = step.provider === GUEST_PROVIDER ? " inside its VM, over SSH" : step.provider ? ` on ${step.provider}` : "";
  if (step.blocked) return `${step.address}${where} is blocked`;
  if (step.error) return `${step.address}${where} could not be read (${step.error.code}); nothing is changed on it`;
  switch (step.action) {
    case "create": return `${step.address} will be created${where}`;
    case "update": return `${step.address} will be updated in place${where}${step.restartRequired ? " (some changes take effect after a restart)" : ""}`;
    case "replace": return `${step.address} must be replaced${where}`;
    case "delete": return `${step.address} will be deleted${where}`;
    case "noop": return step.adopt ? `${step.address} will be adopted into state${where}` : step.recordOnly ? `${step.address}: only its state record changes${where}` : `${step.address}${where}`;
  }
}

function colourFor(c: Colors, step: PlanStep): (s: string) => string {
  if (step.blocked || step.error) return c.red;
  return { create: c.green, update: c.yellow, replace: c.magenta, delete: c.red, noop: c.dim }[step.action];
}

function renderChange(ch: FieldChange, step: PlanStep, c: Colors): string[] {
  const forces = step.forcedBy?.includes(ch.path) ? c.red(step.blocked ? "  # blocks this step" : "  # forces replacement") : "";
  const effect = ch.effect === "restart" ? c.dim("  (after restart)") : "";
  if (!isSensitive(ch.path, step.sensitive) && (isMultiline(ch.before) || isMultiline(ch.after))) {
    const patch = createTwoFilesPatch(`${ch.path} (now)`, `${ch.path} (manifests)`, String(ch.before ?? ""), String(ch.after ?? ""), "", "", { context: 2 });
    const body = patch.split("\n").slice(2).filter((l) => l !== "" && !l.startsWith("\\"));
    return [`      ${c.yellow("~")} ${ch.path}:${forces}${effect}`, ...body.map((l) => `          ${l.startsWith("+") ? c.green(l) : l.startsWith("-") ? c.red(l) : c.dim(l)}`)];
  }
  const before = showValue(ch.before, ch.path, step.sensitive);
  const after = showValue(ch.after, ch.path, step.sensitive);
  return [`      ${c.yellow("~")} ${ch.path}: ${before} → ${after}${forces}${effect}${ch.note && ch.effect !== "in-place" ? c.dim(`  (${ch.note})`) : ""}`];
}

/**
 * The fields of a resource to create, one per line. Unset values (null) are left out; a provider's
 * write-only inputs (keys starting with `_`, e.g. Azure custom data) are shown without the underscore.
 */
function renderCreated(step: PlanStep, c: Colors): string[] {
  const lines: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v === undefined || v === null) return;
    if (v && typeof v === "object" && !Array.isArray(v) && !isSensitive(path, step.sensitive)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k);
      return;
    }
    lines.push(`      ${c.green("+")} ${path.replace(/(^|\.)_/g, "$1")} = ${isMultiline(v) && !isSensitive(path, step.sensitive) ? JSON.stringify(v) : showValue(v, path, step.sensitive)}`);
  };
  walk(step.desired ?? {}, "");
  return lines;
}

/** A drifted value as plans show values: with units, secrets masked (the step's sensitive paths). */
export function showDrift(plan: Plan, address: string, path: string, value: unknown): string {
  return showValue(value, path, plan.steps.find((s) => s.address === address)?.sensitive ?? []);
}

/** The human plan: one block per step with its reason and field changes, drift, notes, the summary line. */
export function renderPlanHuman(plan: Plan, c: Colors): string {
  const out: string[] = [];
  const steps = plan.steps.filter((s) => s.action !== "noop" || s.adopt || s.recordOnly || s.blocked || s.error || s.reasonCode === "blocked-protected");
  const unreadable = unreadableSteps(plan);
  if (plan.drift.length) {
    out.push(c.bold("Drift: changed outside vmsync since the last apply:"), "");
    for (const d of plan.drift) {
      if (d.type === "deleted") out.push(`  ${c.red("!")} ${d.address} was deleted`);
      else for (const ch of d.changes) out.push(`  ${c.yellow("!")} ${d.address}: ${ch.path} was ${showDrift(plan, d.address, ch.path, ch.applied)}, is now ${showDrift(plan, d.address, ch.path, ch.observed)}`);
    }
    out.push("");
  }
  if (plan.unfinished?.length) {
    out.push(c.bold("Left half-done by a failed apply (vmsync's own partial change, not drift):"), "");
    for (const u of plan.unfinished) {
      out.push(`  ${c.red("!")} ${u.address}: the ${u.failed.action} at ${u.failed.at} failed: ${u.failed.error}`);
      for (const ch of u.changes) out.push(`      ${ch.path} was ${showDrift(plan, u.address, ch.path, ch.applied)}, is now ${showDrift(plan, u.address, ch.path, ch.observed)} ${c.dim(`(${ch.note})`)}`);
    }
    out.push("");
  }
  if (steps.length) {
    out.push("vmsync will perform the following actions:", "");
    for (const step of steps) {
      const col = colourFor(c, step);
      out.push(`  ${c.bold(`# ${headline(step)}`)}`, `  ${c.dim(`# ${step.reason}`)}`);
      out.push(`  ${col(step.blocked || step.error ? "!" : SYMBOL[step.action])} ${c.bold(step.address)}${step.externalId ? c.dim(` (${step.externalId})`) : ""}`);
      if (step.action === "create" && !step.blocked) out.push(...renderCreated(step, c));
      for (const ch of step.changes) out.push(...renderChange(ch, step, c));
      out.push("");
    }
  }
  out.push(...renderCapacityHuman(plan.capacity ?? [], c));
  if (plan.cost) out.push(...renderCostHuman(plan.cost, c, hasChanges(plan)));
  for (const n of plan.notes) out.push(`${c.cyan("note:")} ${n}`);
  for (const e of plan.errors) out.push(`${c.red("error:")} ${e}`);
  for (const s of unreadable) {
    out.push(`${c.red("error:")} ${s.address} could not be read: ${s.error!.message}`);
    const hint = guestHint(s.error!.code);
    if (hint) out.push(`  ${c.dim("hint:")} ${hint}`);
  }
  if (plan.notes.length || plan.errors.length || unreadable.length) out.push("");
  const anything = hasChanges(plan);
  out.push(anything || plan.errors.length || unreadable.length ? c.bold(summaryLine(plan)) : c.green(c.bold("No changes. The infrastructure matches the manifests.")));
  return out.join("\n") + "\n";
}
