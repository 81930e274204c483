import { createHash } from "node:crypto";
import type { DesiredResource } from "../manifest/model.js";
import { backoffDelay, type RetryPolicy } from "../reconcile/retry.js";

/** Why a resource is held back from reconciling. */
export interface HeldResource {
  address: string;
  /** `backoff`: a transient failure, retried after `retryAt`; `stalled`: a permanent one, until the manifest changes. */
  state: "backoff" | "stalled";
  error: string;
  code?: string;
  failures: number;
  since: number;
  retryAt?: number;
  /** Hash of the resource's manifest when it failed; a different hash lifts a stall. */
  specHash: string;
}

/** Default per-resource backoff: 30 s doubling up to 15 min, with jitter. */
export const DEFAULT_RESOURCE_BACKOFF: RetryPolicy = { attempts: Infinity, baseMs: 30_000, maxMs: 15 * 60_000 };

/** A stable hash of what the manifests say about a resource (spec, lifecycle, provider, deps). */
export function specHashOf(r: DesiredResource): string {
  const text = JSON.stringify({ spec: r.spec, lifecycle: r.lifecycle, provider: r.provider ?? null, dependsOn: r.dependsOn });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Spec hashes of every desired resource by address (addresses not in the map hash as `absent`). */
export function specHashes(resources: DesiredResource[]): Map<string, string> {
  return new Map(resources.map((r) => [r.address, specHashOf(r)]));
}

/**
 * Failure memory per resource. Transient failures back off exponentially (the resource is left out
 * of plans until `retryAt`); permanent ones stall it until its manifest changes. Either way the rest
 * of the fleet keeps reconciling: held resources become planner `excludes`.
 */
export class ResourceHealth {
  private readonly held = new Map<string, HeldResource>();

  constructor(private readonly opts: { policy?: RetryPolicy; random?: () => number } = {}) {}

  /** Records a failed step. */
  recordFailure(address: string, f: { retryable: boolean; error: string; code?: string; specHash: string; now: number }): HeldResource {
    const prev = this.held.get(address);
    const failures = prev && prev.specHash === f.specHash ? prev.failures + 1 : 1;
    const entry: HeldResource = {
      address, error: f.error, failures, since: prev?.since ?? f.now, specHash: f.specHash,
      ...(f.code ? { code: f.code } : {}),
      ...(f.retryable
        ? { state: "backoff" as const, retryAt: f.now + backoffDelay(this.opts.policy ?? DEFAULT_RESOURCE_BACKOFF, failures, this.opts.random ?? Math.random) }
        : { state: "stalled" as const }),
    };
    this.held.set(address, entry);
    return entry;
  }

  /** Records a successful step: the resource is healthy again. */
  recordSuccess(address: string): void {
    this.held.delete(address);
  }

  /**
   * Lifts stalls (and backoffs) of resources whose manifest changed since they failed, and returns
   * the addresses lifted.
   */
  refresh(hashes: Map<string, string>): string[] {
    const lifted: string[] = [];
    for (const [address, h] of this.held) {
      if ((hashes.get(address) ?? "absent") !== h.specHash) {
        this.held.delete(address);
        lifted.push(address);
      }
    }
    return lifted;
  }

  /** Addresses to leave out of the plan at `now`: stalled ones and those still backing off. */
  excludes(now: number): string[] {
    return [...this.held.values()].filter((h) => h.state === "stalled" || (h.retryAt ?? 0) > now).map((h) => h.address).sort();
  }

  /** The earliest time a backing-off resource may be retried. */
  nextRetryAt(): number | undefined {
    const times = [...this.held.values()].map((h) => h.retryAt).filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }

  /** What is held for one resource. */
  get(address: string): HeldResource | undefined {
    return this.held.get(address);
  }

  /** Everything held, by address. */
  all(): HeldResource[] {
    return [...this.held.values()].sort((a, b) => a.address.localeCompare(b.address));
  }
}

/** An address as a glob that matches only itself (for planner `excludes`). */
export function literalGlob(address: string): string {
  return address.replace(/[\\*?[\]{}()!+]/g, (c) => `\\${c}`);
}
