/**
 * The PostgreSQL state backend: the same {@link StateStore} contract as the file backend, for teams,
 * CI and several daemons sharing one database. Each stack's rows are keyed by a `stack` column; each
 * `commit(changes)` is one transaction that locks the stack's row, bumps its serial and writes the
 * net effect of the batch; reads are one REPEATABLE READ snapshot. The apply lock is an advisory
 * lock on a dedicated connection (see lock.ts). Schema and migrations: schema.ts.
 */
import {
  emptyState,
  type HistoryEntry,
  type LockInfo,
  type StateChange,
  type StateSnapshot,
  type StateStore,
} from "../contract.js";
import { applyChanges, checkSnapshot, cloneJson } from "../apply-changes.js";
import { withTransaction, type PgContext } from "./context.js";
import { acquirePgLock, forceUnlockPg, type PgLockHandle } from "./lock.js";
import { bumpSerial, insertHistory, readSnapshot, replaceStack, writeChanges } from "./rows.js";

/** A {@link StateStore} on PostgreSQL. Create it with `openPgStateStore` (open.ts). */
export class PgStateStore implements StateStore {
  /** The redacted URL and the stack (and schema when not `public`); never the password. */
  readonly location: string;
  readonly #ctx: PgContext;
  readonly #handles = new Set<PgLockHandle>();
  #closed = false;

  /** Use `openPgStateStore`; the constructor does no I/O. */
  constructor(ctx: PgContext) {
    this.#ctx = ctx;
    this.location = ctx.location;
  }

  /** The stack whose rows this store reads and writes. */
  get stack(): string {
    return this.#ctx.stack;
  }

  /** The shared pool and tables, for a {@link PgLeaderLease} on the same database. */
  get context(): PgContext {
    return this.#ctx;
  }

  /** The latest committed snapshot (one consistent read), or an empty one. */
  async read(): Promise<StateSnapshot> {
    this.#assertOpen();
    return withTransaction(this.#ctx.pool, (c) => readSnapshot(c, this.#ctx), "ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }

  /**
   * Applies `changes` in one transaction and returns the new serial. The whole batch is validated
   * (and deep-copied) first; an invalid batch throws before anything is written. An empty batch
   * writes nothing and returns the current serial. Concurrent commits queue on the stack's row.
   */
  async commit(changes: StateChange[]): Promise<number> {
    this.#assertOpen();
    if (!Array.isArray(changes)) throw new TypeError("commit() expects an array of changes");
    applyChanges(emptyState(), changes); // validates; throws for unknown types and values JSON cannot hold
    const batch = cloneJson(changes);
    if (batch.length === 0) return (await this.read()).serial;
    return withTransaction(this.#ctx.pool, async (c) => {
      const serial = await bumpSerial(c, this.#ctx);
      await writeChanges(c, this.#ctx, batch, serial);
      return serial;
    });
  }

  /** Appends one entry to the stack's history (one row), durable before it resolves. */
  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.#assertOpen();
    if (!entry || typeof entry !== "object" || typeof entry.id !== "string") {
      throw new TypeError("appendHistory() expects a HistoryEntry with a string id");
    }
    await insertHistory(this.#ctx.pool, this.#ctx, entry);
  }

  /** History entries, newest first; at most `limit` (a non-negative integer) when given. */
  async history(limit?: number): Promise<HistoryEntry[]> {
    this.#assertOpen();
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new RangeError(`history limit must be a non-negative integer, got ${limit}`);
    }
    const { rows } = await this.#ctx.pool.query<{ entry: HistoryEntry }>(
      `SELECT entry FROM ${this.#ctx.tables.history} WHERE stack = $1 ORDER BY seq DESC LIMIT $2`,
      [this.#ctx.stack, limit ?? null],
    );
    return rows.map((r) => r.entry);
  }

  /** Takes the apply lock (advisory lock on a dedicated connection); see lock.ts. Not re-entrant. */
  async lock(info: Omit<LockInfo, "id" | "acquiredAt">): Promise<PgLockHandle> {
    this.#assertOpen();
    const handle = await acquirePgLock(this.#ctx, info);
    for (const h of this.#handles) if (h.released) this.#handles.delete(h);
    this.#handles.add(handle);
    return handle;
  }

  /** Ends the lock holder's session, clears its row and returns who held it (undefined if nobody). */
  forceUnlock(): Promise<LockInfo | undefined> {
    this.#assertOpen();
    return forceUnlockPg(this.#ctx);
  }

  /**
   * Replaces the stack's whole state and history in one transaction, keeping the snapshot's serial:
   * how `vmsync state migrate` moves a state here. `history` is newest first, as `history()` returns it.
   */
  async replaceAll(snapshot: StateSnapshot, history: HistoryEntry[]): Promise<void> {
    this.#assertOpen();
    const checked = checkSnapshot(cloneJson(snapshot));
    if (typeof checked === "string") throw new TypeError(`replaceAll() expects a state snapshot: ${checked}`);
    const oldestFirst = cloneJson(history).reverse();
    await withTransaction(this.#ctx.pool, (c) => replaceStack(c, this.#ctx, checked, oldestFirst));
  }

  /** Releases locks taken through this store and closes the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#handles].map((h) => h.release()));
    this.#handles.clear();
    await this.#ctx.pool.end().catch(() => {});
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`state store ${this.location} is closed`);
  }
}
