import type { Plan } from "../plan-types.js";
import { isSensitive, maskSpec, SENSITIVE } from "./values.js";

/** The plan as JSON (`schemas/plan.schema.json`), with sensitive values masked. */
export function planToJson(plan: Plan): Plan {
  return {
    ...plan,
    steps: plan.steps.map((s) => ({
      ...s,
      ...(s.desired ? { desired: maskSpec(s.desired, s.sensitive) as Record<string, unknown> } : {}),
      changes: s.changes.map((c) => (isSensitive(c.path, s.sensitive) ? { ...c, before: SENSITIVE, after: SENSITIVE } : c)),
    })),
    ...(plan.unfinished
      ? {
          unfinished: plan.unfinished.map((u) => {
            const sensitive = plan.steps.find((s) => s.address === u.address)?.sensitive ?? [];
            return { ...u, changes: u.changes.map((c) => (isSensitive(c.path, sensitive) ? { ...c, applied: SENSITIVE, observed: SENSITIVE } : c)) };
          }),
        }
      : {}),
    drift: plan.drift.map((d) => {
      const sensitive = plan.steps.find((s) => s.address === d.address)?.sensitive ?? [];
      return { ...d, changes: d.changes.map((c) => (isSensitive(c.path, sensitive) ? { ...c, applied: SENSITIVE, observed: SENSITIVE } : c)) };
    }),
  };
}
