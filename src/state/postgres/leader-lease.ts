/**
 * Leader election for several `vmsync watch` daemons on one stack: a lease row in `vmsync_leases`
 * with an expiry, taken and renewed by single atomic statements that compare against the database's
 * clock, so the daemons' clocks never need to agree.
 *
 * Safety (never two leaders): a lease is taken only once the previous one has expired by the
 * database's clock. A daemon believes it leads only until `sent + ttl − margin` by its own monotonic
 * clock, where `sent` is when it sent the statement that took or renewed the lease; the database set
 * the expiry to `executed + ttl`, later in real time. So a daemon stops calling itself leader before
 * anyone else can take over — even after a pause (GC, SIGSTOP) or a network partition. `term`
 * increases with every new tenure and can serve as a fencing token.
 *
 * Liveness: once `acquire()` has been called, a background loop renews every `renewEveryMs` while
 * leading and otherwise retries to take the lease, so when a leader dies another daemon leads within
 * `ttlMs + renewEveryMs` (plus one round trip).
 */
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { performance } from "node:perf_hooks";
import type { Leadership } from "../../daemon/leadership.js";
import type { PgContext } from "./context.js";

/** Who holds a lease, as stored in its row. */
export interface LeaseHolder {
  id: string;
  host: string;
  pid: number;
  user: string;
  startedAt: string;
}

/** Options of {@link PgLeaderLease}. */
export interface PgLeaderLeaseOptions {
  /** Name of the lease within the stack; default `watch`. */
  name?: string;
  /** How long a lease lasts without renewal; default 15 s. Takeover after a crash takes at most about ttl + renewEvery. */
  ttlMs?: number;
  /** How often the background loop renews (leading) or retries (following); default ttl / 3. */
  renewEveryMs?: number;
  /** Called on every change of `isLeader()` noticed by the loop, acquire, renew or release. */
  onChange?: (leader: boolean) => void;
  /** End the context's pool on `close()` (set when the lease opened its own pool). */
  ownsPool?: boolean;
  /** Overrides host/pid/user stored in the row (tests). */
  holder?: Partial<Omit<LeaseHolder, "id" | "startedAt">>;
}

/** A leader lease for one stack; implements the daemon's {@link Leadership}. */
export class PgLeaderLease implements Leadership {
  readonly holder: LeaseHolder;
  readonly name: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly #margin: number;
  #term: number | undefined;
  #deadline = 0; // performance.now() time until which we may call ourselves leader
  #wasLeader = false;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #other: LeaseHolder | undefined;
  #signal: AbortSignal | undefined;

  /** `ctx` is the store's context (`PgStateStore.context`) or one from `pgContext()`; this lease does not close its pool. */
  constructor(private readonly ctx: PgContext, private readonly opts: PgLeaderLeaseOptions = {}) {
    this.name = opts.name ?? "watch";
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.renewEveryMs = opts.renewEveryMs ?? Math.floor(this.ttlMs / 3);
    if (!(this.ttlMs >= 100) || !(this.renewEveryMs > 0 && this.renewEveryMs < this.ttlMs / 2)) {
      throw new RangeError(`lease ttlMs must be ≥ 100 and renewEveryMs below half of it (got ${this.ttlMs}, ${this.renewEveryMs})`);
    }
    this.#margin = Math.max(20, Math.floor(this.ttlMs / 10));
    const h = opts.holder ?? {};
    this.holder = { id: randomUUID(), host: h.host ?? hostname(), pid: h.pid ?? process.pid, user: h.user ?? userInfo().username, startedAt: new Date().toISOString() };
  }

  /** The tenure number while leading (a fencing token), else undefined. */
  get term(): number | undefined {
    return this.isLeader() ? this.#term : undefined;
  }

  /** Until when (epoch ms, this host's clock) this daemon may act as leader; undefined when not leading. */
  get leaderUntil(): number | undefined {
    return this.isLeader() ? Date.now() + (this.#deadline - performance.now()) : undefined;
  }

  /** Tries once to take the lease (renews it when already leading), then keeps the background loop running until `release()` or `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    if (signal && signal !== this.#signal) {
      this.#signal = signal;
      signal.addEventListener("abort", () => void this.release(), { once: true });
    }
    const leads = this.#term !== undefined && this.isLeader() ? await this.renew() : await this.#take();
    if (!this.#running) {
      this.#running = true;
      this.#schedule();
    }
    return leads;
  }

  /** Extends the lease; false when it was lost (expired, taken over or released). A failed round trip keeps the current deadline. */
  async renew(): Promise<boolean> {
    if (this.#term === undefined) return false;
    const sent = performance.now();
    try {
      const { rowCount } = await this.ctx.pool.query(
        `UPDATE ${this.ctx.tables.leases} SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $5::double precision * interval '1 millisecond'
          WHERE stack = $1 AND name = $2 AND holder_id = $3 AND term = $4 AND expires_at > clock_timestamp()`,
        [this.ctx.stack, this.name, this.holder.id, this.#term, this.ttlMs],
      );
      if (rowCount === 1) this.#deadline = sent + this.ttlMs - this.#margin;
      else this.#term = undefined;
    } catch {
      // unreachable database: leadership simply runs out at the deadline
    }
    this.#notify();
    return this.isLeader();
  }

  /** Whether this daemon leads right now: it holds the lease and its local deadline has not passed. No I/O. */
  isLeader(): boolean {
    return this.#term !== undefined && performance.now() < this.#deadline;
  }

  /** Stops the loop and ends the lease at once (so another daemon can take over without waiting). Idempotent. */
  async release(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    const term = this.#term;
    this.#term = undefined;
    this.#notify();
    if (term === undefined) return;
    await this.ctx.pool
      .query(`UPDATE ${this.ctx.tables.leases} SET expires_at = clock_timestamp() WHERE stack = $1 AND name = $2 AND holder_id = $3 AND term = $4`, [
        this.ctx.stack, this.name, this.holder.id, term,
      ])
      .catch(() => {});
  }

  /** Releases the lease, and ends the pool when the lease owns it. Idempotent. */
  async close(): Promise<void> {
    await this.release();
    if (this.opts.ownsPool) await this.ctx.pool.end().catch(() => {});
  }

  /** For `/status`: whether this daemon leads, and otherwise who does (as last seen). */
  describe(): string {
    const what = `postgres lease "${this.name}" of stack ${this.ctx.stack}`;
    if (this.isLeader()) return `${what}: leader (term ${this.#term})`;
    return this.#other ? `${what}: follower; held by ${this.#other.user}@${this.#other.host} (pid ${this.#other.pid})` : `${what}: not leader`;
  }

  async #take(): Promise<boolean> {
    const t = this.ctx.tables.leases;
    const sent = performance.now();
    try {
      const { rows } = await this.ctx.pool.query<{ term: string }>(
        `INSERT INTO ${t} AS l (stack, name, holder_id, holder, term, acquired_at, renewed_at, expires_at)
         VALUES ($1, $2, $3, $4::json, 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + $5::double precision * interval '1 millisecond')
         ON CONFLICT (stack, name) DO UPDATE SET holder_id = excluded.holder_id, holder = excluded.holder, term = l.term + 1,
           acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
         WHERE l.expires_at <= clock_timestamp()
         RETURNING term`,
        [this.ctx.stack, this.name, this.holder.id, JSON.stringify(this.holder), this.ttlMs],
      );
      if (rows[0]) {
        this.#term = Number(rows[0].term);
        this.#deadline = sent + this.ttlMs - this.#margin;
        this.#other = undefined;
      } else {
        this.#term = undefined;
        const held = await this.ctx.pool.query<{ holder: LeaseHolder }>(`SELECT holder FROM ${t} WHERE stack = $1 AND name = $2`, [this.ctx.stack, this.name]);
        this.#other = held.rows[0]?.holder;
      }
    } catch {
      // unreachable database: try again on the next tick
    }
    this.#notify();
    return this.isLeader();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (!this.#running) return;
      const step = this.#term !== undefined ? this.renew() : this.#take();
      void step.finally(() => this.#running && this.#schedule());
    }, this.renewEveryMs);
    this.#timer.unref(); // the loop alone never keeps a process alive
  }

  #notify(): void {
    const now = this.isLeader();
    if (now !== this.#wasLeader) {
      this.#wasLeader = now;
      this.opts.onChange?.(now);
    }
  }
}
