import picomatch from "picomatch";
import type { ResourceRecord, StateSnapshot } from "../state/contract.js";
import { UsageError } from "./errors.js";

/** What an action command was asked to act on. */
export interface TargetArgs {
  /** Positional arguments: `Kind/name`, or a bare name (any kind of that name). */
  names: string[];
  /** `--target` globs over addresses; a glob without `/` matches names of any kind. */
  globs: string[];
}

function matcher(pattern: string, glob: boolean): (r: ResourceRecord) => boolean {
  const byName = !pattern.includes("/");
  const test = glob ? picomatch(pattern) : (s: string) => s === pattern;
  return (r) => test(byName ? r.address.slice(r.address.indexOf("/") + 1) : r.address);
}

/**
 * The managed resources (state records) of `kinds` that the arguments name, by address. Every
 * argument must match at least one such resource: a pattern that matches nothing is an error
 * naming it (never a silent no-op). Vmsync only acts on what it manages.
 */
export function resolveManaged(state: StateSnapshot, args: TargetArgs, kinds: string[]): ResourceRecord[] {
  const records = Object.values(state.resources).filter((r) => kinds.includes(r.kind));
  const chosen = new Map<string, ResourceRecord>();
  const patterns = [...args.names.map((p) => [p, false] as const), ...args.globs.map((p) => [p, true] as const)];
  if (!patterns.length) throw new UsageError("name at least one resource", "Give addresses such as VirtualMachine/web-1, or --target 'VirtualMachine/web-*'.");
  for (const [pattern, glob] of patterns) {
    const hits = records.filter(matcher(pattern, glob));
    if (!hits.length) {
      const other = Object.values(state.resources).find(matcher(pattern, glob));
      throw new UsageError(
        other ? `${other.address} is a ${other.kind}: this acts on ${kinds.join(" and ")} resources only` : `"${pattern}" matches no ${kinds.join(" or ")} vmsync manages`,
        "`vmsync status` lists the managed resources; only applied (or imported) resources can be acted on.",
      );
    }
    for (const h of hits) chosen.set(h.address, h);
  }
  return [...chosen.values()].sort((a, b) => a.address.localeCompare(b.address));
}
