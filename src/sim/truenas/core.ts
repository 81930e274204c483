/**
 * The transport-independent heart of the simulator: the world, the persona, knobs, jobs, the
 * method table, and `execute()` — the call pipeline every request goes through (method lookup,
 * in-flight limit, auth and session expiry, unauthenticated rate limit, soft semaphore, latency,
 * fault injection, job handling).
 */
import { randomBytes } from "node:crypto";
import { CallError, ERRNO, MethodNotFound, NotAuthenticated, TooManyConcurrentCalls } from "./errors.js";
import { JobManager } from "./jobs.js";
import { RateLimiter, type RateLimitSettings } from "./rate-limit.js";
import type { MethodTable } from "./registry.js";
import { HARD_LIMIT, type Session } from "./session.js";
import type { Persona } from "./versions.js";
import type { World } from "./world.js";
import { SeededRandom, sleep, type SimKnobs } from "../knobs.js";
import { buildMethodTable } from "./methods/index.js";
import { RequestTally } from "../request-tally.js";

/** Settings fixed at start. */
export interface CoreSettings {
  sessionLifetimeMs: number;
  rateLimit: RateLimitSettings;
  /** Delay before a failed password/API-key login answers (real: 1–5 s). */
  authFailureDelayMs: number;
  /** Host memory for `vm.start` ENOMEM checks, MiB. */
  hostMemoryMiB: number;
  /** Pool size in bytes (for `available`/80 % checks). */
  poolSizeBytes: number;
  /** NIC attach choices. */
  interfaces: string[];
}

/** Shared simulator state; one per started simulator. */
export class SimCore {
  readonly jobs: JobManager;
  readonly table: MethodTable;
  readonly sessions = new Set<Session>();
  readonly rateLimiter: RateLimiter;
  /** Auth tokens from `auth.generate_token`. */
  readonly tokens = new Map<string, { username: string; expires: number }>();
  readonly bootId = randomBytes(16).toString("hex");
  readonly startedAt = Date.now();
  /** Calls from API clients (not the in-process admin), by method name. */
  readonly requests = new RequestTally();
  private faultRng: SeededRandom;
  /** Seeded generator for MACs, UUIDs and pids. */
  idRng: SeededRandom;

  constructor(
    readonly world: World,
    readonly p: Persona,
    public knobs: SimKnobs,
    readonly settings: CoreSettings,
  ) {
    this.faultRng = new SeededRandom(knobs.seed);
    this.idRng = new SeededRandom(knobs.seed ^ 0x5bd1e995);
    this.rateLimiter = new RateLimiter(settings.rateLimit);
    this.jobs = new JobManager(() => this.knobs.taskDurationMs, p.legacyJobsOption);
    this.jobs.listen((msg, id, fields) => this.publish("core.get_jobs", msg, id, fields));
    this.table = buildMethodTable(p);
  }

  /** Changes knobs; a new `seed` restarts the fault and id sequences. */
  setKnobs(k: Partial<SimKnobs>): void {
    this.knobs = { ...this.knobs, ...k };
    if (k.seed !== undefined) {
      this.faultRng = new SeededRandom(k.seed);
      this.idRng = new SeededRandom(k.seed ^ 0x5bd1e995);
    }
  }

  /** Sends a collection event to every connection subscribed to `collection`. */
  publish(collection: string, msg: "added" | "changed" | "removed", id: unknown, fields?: Record<string, unknown>): void {
    for (const s of this.sessions) if (s.subscribed(collection)) s.io.event(msg, collection, id, fields);
  }

  /** True when a service prefix of `method` exists (to phrase ENOMETHOD). */
  private serviceExists(method: string): boolean {
    const service = method.slice(0, method.lastIndexOf(".") + 1);
    for (const name of this.table.keys()) if (name.startsWith(service) && name.slice(service.length).indexOf(".") < 0) return true;
    return false;
  }

  /** Throws when the session is not (or no longer) logged in. */
  checkAuth(session: Session): void {
    if (!session.auth) throw new NotAuthenticated();
    if (session.expired || Date.now() - session.auth.at > this.settings.sessionLifetimeMs) {
      if (!this.p.pydantic) throw new NotAuthenticated();
      throw new CallError("Session is expired", ERRNO.EACCES);
    }
  }

  /**
   * Runs one call for a connection and resolves its result, or rejects with a middleware
   * exception that the transport encodes. `newStyleJobs` is decided by the transport.
   */
  async execute(session: Session, method: string, params: unknown[], messageId: unknown): Promise<unknown> {
    if (!session.internal) this.requests.count(method);
    const def = this.table.get(method);
    if (!def) throw new MethodNotFound(method, this.serviceExists(method));
    if (session.inflight >= HARD_LIMIT && !session.internal) throw new TooManyConcurrentCalls();
    session.inflight++;
    try {
      if (!def.noAuth) this.checkAuth(session);
      else if (def.rateLimited && !session.auth && !this.rateLimiter.hit(method, session.remote)) {
        await sleep(this.settings.rateLimit.delayMs);
        throw new CallError("Rate Limit Exceeded", ERRNO.EBUSY);
      }
      await session.acquire();
      try {
        if (!def.noFault && !def.noAuth && !session.internal) {
          if (this.knobs.latencyMs > 0) await sleep(this.knobs.latencyMs);
          if (this.knobs.faultRate > 0 && this.faultRng.chance(this.knobs.faultRate)) {
            if (this.faultRng.int(2) === 0) throw new TooManyConcurrentCalls();
            throw new CallError("Resource temporarily busy, try again", ERRNO.EBUSY);
          }
        }
        const ctx = { sim: this, session, messageId };
        if (def.call) return await def.call(ctx, params);
        const body = await def.job!(ctx, params);
        const id = this.jobs.start(method, params, body, { messageId, username: session.auth?.username ?? null });
        if (session.internal || (this.p.legacyJobsOption && session.transport === "jsonrpc" && !session.options.legacy_jobs)) {
          return await this.jobs.wait(id);
        }
        return id;
      } finally {
        session.release();
      }
    } finally {
      session.inflight--;
    }
  }

  /** A random MAC in the middleware's `00:a0:98:…` range (seeded). */
  randomMac(): string {
    const b = [0x00, 0xa0, 0x98, this.idRng.int(0x80), this.idRng.int(0x100), this.idRng.int(0x100)];
    return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
  }

  /** A version-4 UUID from the seeded generator. */
  randomUuid(): string {
    const h = this.idRng.hex(16).split("");
    h[12] = "4";
    h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    const s = h.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}
