import picomatch from "picomatch";
import type { PlanStep } from "./plan-types.js";

/**
 * A matcher for one `--target` / `--exclude` pattern. Patterns are globs over addresses
 * (`VirtualMachine/web-*`); a pattern without `/` is matched against the name part of every kind
 * (`app-1` matches `VirtualMachine/app-1` and `NfsShare/app-1`), because that is what people type.
 */
export function addressMatcher(pattern: string): (address: string) => boolean {
  const match = picomatch(pattern);
  if (pattern.includes("/")) return match;
  return (address) => match(address.slice(address.indexOf("/") + 1));
}

/** What filtering did: the steps kept, and the patterns that matched no step at all. */
export interface FilterResult {
  steps: PlanStep[];
  unmatched: Array<{ flag: "--target" | "--exclude"; pattern: string }>;
}

/**
 * Applies `--target` and `--exclude`. Targeted steps keep the steps they depend on (noted, as
 * Terraform does); an excluded step also removes the steps that depend on it (noted), so nothing
 * runs without what it needs. A pattern that matches no step is reported in `unmatched`: a typo must
 * never silently turn into an empty plan.
 */
export function filterSteps(steps: PlanStep[], targets: string[], excludes: string[], notes: string[]): FilterResult {
  const byAddress = new Map(steps.map((s) => [s.address, s]));
  const unmatched: FilterResult["unmatched"] = [];
  const matchersOf = (flag: "--target" | "--exclude", patterns: string[]) =>
    patterns.map((pattern) => {
      const m = addressMatcher(pattern);
      if (!steps.some((s) => m(s.address))) unmatched.push({ flag, pattern });
      return m;
    });
  let kept = steps;
  if (targets.length) {
    const matchers = matchersOf("--target", targets);
    const keep = new Set<string>();
    const visit = (address: string, pulled: boolean) => {
      if (keep.has(address) || !byAddress.has(address)) return;
      keep.add(address);
      const step = byAddress.get(address)!;
      if (pulled && step.action !== "noop") notes.push(`${address} is included because a targeted resource depends on it`);
      for (const dep of step.dependsOn) visit(dep, true);
    };
    for (const s of steps) if (matchers.some((m) => m(s.address))) visit(s.address, false);
    kept = steps.filter((s) => keep.has(s.address));
  }
  if (excludes.length) {
    const matchers = matchersOf("--exclude", excludes);
    const removed = new Set(kept.filter((s) => matchers.some((m) => m(s.address))).map((s) => s.address));
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
  return { steps: kept, unmatched };
}

/** The plan error for a pattern that matched nothing. */
export function unmatchedPatternError(u: FilterResult["unmatched"][number]): string {
  return `${u.flag} "${u.pattern}" matches no resource (in the manifests or in state); addresses are Kind/name, e.g. VirtualMachine/web, and a pattern without "/" matches names of any kind`;
}
