import type { DesiredState } from "../manifest/model.js";
import { readSetting } from "../manifest/secrets.js";
import { ObserveCache, type CachedObservation } from "../providers/observe-cache.js";
import type { StateSnapshot } from "../state/contract.js";

/**
 * Where observation caches live between observes, one per provider: a file under `.vmsync/cache/`
 * for the CLI (state/observe-cache-file.ts), memory for the watch daemon. `identity` names what
 * the entries were read from (provider type and resolved endpoint): entries saved under another
 * identity are never served — a Provider manifest pointed at another cluster starts cold.
 */
export interface ObserveCacheStore {
  load(provider: string, identity: string): Promise<CachedObservation[]>;
  save(provider: string, identity: string, entries: CachedObservation[]): Promise<void>;
}

/** The caches of one observe, by provider name, with the identity each is saved under. */
export type OpenCaches = Map<string, { cache: ObserveCache; identity: string }>;

/** A store that keeps caches in memory (the daemon: one process, many passes). */
export function memoryCacheStore(): ObserveCacheStore {
  const held = new Map<string, { identity: string; entries: CachedObservation[] }>();
  return {
    load: async (provider, identity) => (held.get(provider)?.identity === identity ? held.get(provider)!.entries : []),
    save: async (provider, identity, entries) => void held.set(provider, { identity, entries }),
  };
}

/** What a cache's entries must have been read from: the provider's type and endpoint as resolved now. */
export function cacheIdentity(desired: DesiredState, provider: string, env: NodeJS.ProcessEnv): string | undefined {
  const config = desired.providers.get(provider);
  if (!config) return undefined;
  const spec = config.spec as { type: string; endpoint?: Parameters<typeof readSetting>[0] };
  return `${spec.type}|${(spec.endpoint && readSetting(spec.endpoint, env)) ?? ""}`;
}

/**
 * Opens the caches of `providers` for one observe: entries from `store`, each object's state stamp
 * (`appliedAt` of its record, so anything applied since is read again), `reuse` false for a full
 * refresh (read everything, remember it). With `reuseOnlyWhenSet` (the watch daemon, whose job is
 * to find drift, including changes Proxmox keeps pending that no list shows) reads are served only
 * for providers whose manifest sets `spec.fullReadInterval` itself. A store that fails to load
 * gives an empty cache.
 */
export async function openCaches(store: ObserveCacheStore, providers: string[], ctx: { desired: DesiredState; state: StateSnapshot; env: NodeJS.ProcessEnv; now: number; reuse: boolean; reuseOnlyWhenSet?: boolean }): Promise<OpenCaches> {
  const out: OpenCaches = new Map();
  for (const provider of providers) {
    const identity = cacheIdentity(ctx.desired, provider, ctx.env);
    if (identity === undefined) continue;
    const entries = await store.load(provider, identity).catch(() => []);
    const stamps = new Map(Object.values(ctx.state.resources).filter((r) => r.provider === provider).map((r) => [r.externalId, r.appliedAt] as const));
    const reuse = ctx.reuse && (!ctx.reuseOnlyWhenSet || (ctx.desired.providers.get(provider)?.spec as { fullReadInterval?: unknown } | undefined)?.fullReadInterval !== undefined);
    out.set(provider, { identity, cache: new ObserveCache({ entries, now: ctx.now, reuse, stamps }) });
  }
  return out;
}

/** Saves what each cache kept, when it changed; a failure to save only costs the next plan its cache. */
export async function saveCaches(store: ObserveCacheStore, caches: OpenCaches): Promise<void> {
  const changed = [...caches.entries()].filter(([, { cache }]) => cache.changed());
  await Promise.all(changed.map(([provider, { cache, identity }]) => store.save(provider, identity, cache.entries()).catch(() => undefined)));
}
