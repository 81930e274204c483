import picomatch from "picomatch";
import type { PlanStep } from "./plan-types.js";

/**
 * Applies `--target` and `--exclude` (globs over addresses, e.g. `VirtualMachine/web-*`). Targeted
 * steps keep the steps they depend on (noted, as Terraform does); an excluded step also removes the
 * steps that depend on it (noted), so nothing runs without what it needs.
 */
export function filterSteps(steps: PlanStep[], targets: string[], excludes: string[], notes: string[]): PlanStep[] {
  const byAddress = new Map(steps.map((s) => [s.address, s]));
  let kept = steps;
  if (targets.length) {
    const match = picomatch(targets);
    const keep = new Set<string>();
    const visit = (address: string, pulled: boolean) => {
      if (keep.has(address) || !byAddress.has(address)) return;
      keep.add(address);
      const step = byAddress.get(address)!;
      if (pulled && step.action !== "noop") notes.push(`${address} is included because a targeted resource depends on it`);
      for (const dep of step.dependsOn) visit(dep, true);
    };
    for (const s of steps) if (match(s.address)) visit(s.address, false);
    kept = steps.filter((s) => keep.has(s.address));
  }
  if (excludes.length) {
    const match = picomatch(excludes);
    const removed = new Set(kept.filter((s) => match(s.address)).map((s) => s.address));
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of kept) {
        if (removed.has(s.address) || s.action === "noop") continue;
        if (s.dependsOn.some((d) => removed.has(d) && byAddress.get(d)?.action !== "noop")) {
          removed.add(s.address);
          notes.push(`${s.address} is excluded because it depends on an excluded resource`);
          grew = true;
        }
      }
    }
    kept = kept.filter((s) => !removed.has(s.address));
  }
  return kept;
}
