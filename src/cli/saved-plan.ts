import { readFile } from "node:fs/promises";
import { PLAN_FORMAT_VERSION, type Plan } from "../reconcile/plan-types.js";
import { UsageError } from "./errors.js";

/** True when the apply argument names a saved plan rather than manifests. */
export function looksLikePlanFile(paths: string[]): boolean {
  return paths.length === 1 && paths[0]!.endsWith(".json");
}

/** Reads a plan saved by `vmsync plan -o`, checking its format version. */
export async function readSavedPlan(path: string): Promise<Plan> {
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(path, "utf8")) as Plan;
  } catch (err) {
    throw new UsageError(`cannot read saved plan ${path}: ${(err as Error).message}`, "Create one with `vmsync plan -o FILE`.");
  }
  if (plan?.formatVersion !== PLAN_FORMAT_VERSION) throw new UsageError(`${path} is not a vmsync plan of format ${PLAN_FORMAT_VERSION}`, "Make a new plan with this version of vmsync.");
  return plan;
}

/**
 * Compares a saved plan with a fresh one made from the same manifests and options: every step the
 * saved plan would run must still rely on the same observed state (fingerprint) and do the same
 * thing. Returns one line per stale resource (empty when the saved plan can be applied).
 */
export function staleSteps(saved: Plan, fresh: Plan): string[] {
  const now = new Map(fresh.steps.map((s) => [s.address, s]));
  const out: string[] = [];
  for (const s of saved.steps) {
    if (s.action === "noop" && !s.adopt) continue;
    const f = now.get(s.address);
    if (!f) out.push(`${s.address}: no longer planned`);
    else if (f.fingerprint !== s.fingerprint) out.push(`${s.address}: changed at the provider since the plan was made`);
    else if (f.action !== s.action || JSON.stringify(f.changes) !== JSON.stringify(s.changes)) out.push(`${s.address}: the manifests or state changed since the plan was made (now: ${f.action})`);
  }
  return out;
}
