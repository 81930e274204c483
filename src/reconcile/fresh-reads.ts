import type { ObservedResource, ProviderSession } from "../providers/contract.js";
import type { Plan, PlanStep } from "./plan-types.js";

/**
 * Planning on cached observations, safely. An observe may serve objects from its cache
 * (`ObservedResource.cachedAt`: their details were read earlier and their cheap list data has not
 * changed since). That is fine for an object the plan leaves alone — at worst drift outside the
 * list data shows at the provider's next full read — but never for one it would change or
 * delete: apply must not act on a state it did not see. So: plan; re-read every cached object that
 * a step would update, replace or delete, or that blocks the plan; plan again from the fresh
 * reads (their steps now rely on fresh fingerprints, which a saved plan is checked against); repeat
 * while the new plan touches other cached objects. Creates rely on absence, which the list calls
 * see live. The plan notes say how many objects were served from the cache.
 */
export async function planFreshly(input: {
  sessions: Map<string, ProviderSession>;
  observed: Map<string, ObservedResource[]>;
  plan: (observed: Map<string, ObservedResource[]>) => Plan;
}): Promise<{ plan: Plan; observed: Map<string, ObservedResource[]> }> {
  let observed = input.observed;
  let plan = input.plan(observed);
  for (let round = 0; round < 4; round++) {
    const stale = cachedTargets(plan.steps, observed);
    if (stale.size === 0) break;
    const next = new Map(observed);
    for (const [provider, targets] of stale) {
      const session = input.sessions.get(provider);
      if (!session?.reread) throw new Error(`provider ${provider} served observations from a cache but cannot read them again`);
      const fresh = await session.reread(targets);
      const replaced = new Set(targets.map((t) => key(t.kind, t.externalId)));
      const before = observed.get(provider) ?? [];
      next.set(provider, [...before.filter((o) => !replaced.has(key(o.kind, o.externalId))), ...withRuntimeAddresses(fresh, before)]);
    }
    observed = next;
    plan = input.plan(observed);
  }
  const notes = cacheNotes(observed);
  return { plan: notes.length ? { ...plan, notes: [...plan.notes, ...notes] } : plan, observed };
}

/**
 * A re-read refreshes the details the cache served; the addresses the same observe read at run time
 * (e.g. from the Proxmox guest agent, never cached) stay with the object.
 */
function withRuntimeAddresses(fresh: ObservedResource[], before: ObservedResource[]): ObservedResource[] {
  const earlier = new Map(before.map((o) => [key(o.kind, o.externalId), o.status?.addresses]));
  return fresh.map((o) => {
    const addresses = earlier.get(key(o.kind, o.externalId));
    return addresses?.length && !o.status?.addresses ? { ...o, status: { ...o.status, addresses } } : o;
  });
}

function key(kind: string, externalId: string): string {
  return `${kind}\0${externalId}`;
}

/** True when a step acts on (or blocks on) the object it observed: update, replace, delete, or blocked. */
function actsOnObserved(s: PlanStep): boolean {
  return s.blocked === true || s.action === "update" || s.action === "replace" || s.action === "delete";
}

/** The cached objects the plan's steps act on, by provider. */
function cachedTargets(steps: PlanStep[], observed: Map<string, ObservedResource[]>): Map<string, Array<{ kind: PlanStep["kind"]; externalId: string }>> {
  const cached = new Map<string, Set<string>>();
  for (const [provider, list] of observed) {
    const ids = new Set(list.filter((o) => o.cachedAt !== undefined).map((o) => key(o.kind, o.externalId)));
    if (ids.size) cached.set(provider, ids);
  }
  const out = new Map<string, Array<{ kind: PlanStep["kind"]; externalId: string }>>();
  for (const s of steps) {
    if (!s.provider || !s.externalId || !actsOnObserved(s) || !cached.get(s.provider)?.has(key(s.kind, s.externalId))) continue;
    out.set(s.provider, [...(out.get(s.provider) ?? []), { kind: s.kind, externalId: s.externalId }]);
  }
  return out;
}

/** One note per provider that served objects from its observation cache. */
function cacheNotes(observed: Map<string, ObservedResource[]>): string[] {
  const notes: string[] = [];
  for (const [provider, list] of [...observed.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const served = list.filter((o) => o.cachedAt !== undefined);
    if (!served.length) continue;
    const oldest = served.reduce((m, o) => (o.cachedAt! < m ? o.cachedAt! : m), served[0]!.cachedAt!);
    notes.push(
      `${provider}: ${served.length} of ${list.length} objects were not read again (their list data is unchanged since their last read, the oldest at ${oldest}); ` +
        "a change outside that data shows at the provider's next full read — `--full-refresh` reads everything now.",
    );
  }
  return notes;
}
