import type { DesiredResource } from "../manifest/model.js";
import type { Provider } from "../providers/contract.js";
import type { PlanStep } from "./plan-types.js";

/**
 * For providers whose objects live inside their parent (`Provider.followsParent`, the guest layer):
 * when the plan creates or replaces the parent, the object is planned as a create too, after it —
 * the new parent has none of it, and what was observed (or failed to be read) in the old one no
 * longer matters. Steps are changed in place; blocked steps and blocked parents are left alone.
 */
export function followParents(steps: PlanStep[], desired: DesiredResource[], providers: Map<string, Provider>): void {
  const byAddress = new Map(steps.map((s) => [s.address, s]));
  for (const r of desired) {
    if (!r.attachmentOf || !r.provider || !providers.get(r.provider)?.followsParent) continue;
    const parent = byAddress.get(r.attachmentOf);
    const step = byAddress.get(r.address);
    if (!parent || !step || parent.blocked || step.blocked || step.action === "create") continue;
    if (parent.action !== "create" && parent.action !== "replace") continue;
    const index = steps.indexOf(step);
    const { externalId: _id, error: _error, adopt: _adopt, recordOnly: _record, ...rest } = step;
    steps[index] = {
      ...rest, action: "create", changes: [], reasonCode: "follows-parent",
      reason: `${r.attachmentOf} is ${parent.action === "create" ? "created" : "replaced"} by this plan, so this is set up again inside the new one`,
    };
  }
}
