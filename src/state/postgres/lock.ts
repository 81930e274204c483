/**
 * The apply lock of the PostgreSQL backend: a session-level advisory lock (one key per schema and
 * stack) held on a dedicated connection for as long as the apply runs, plus a row in `vmsync_locks`
 * naming the holder (LockInfo and the server pid of that connection).
 *
 * The advisory lock is the truth; the row only says who holds it. When the holder's process exits or
 * dies (even by SIGKILL) its connection closes and PostgreSQL releases the lock at once; a row left
 * behind is ignored, because it names a backend that no longer holds the lock, and is overwritten by
 * the next holder. `forceUnlock` terminates the holder's session (pg_terminate_backend) and clears
 * the row. As with the file backend, a holder on this host whose pid is gone is reclaimed.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { StateLockedError, type LockHandle, type LockInfo } from "../contract.js";
import { isReclaimable } from "../file-lock.js";
import { sleep, type PgContext } from "./context.js";
import { advisoryKey } from "./schema.js";

/** How long a loser waits for a winner that holds the advisory lock to write its row. */
const ROW_WAIT_MS = 3_000;
/** Keeps the dedicated connection busy enough that idle timeouts and dead peers are noticed. */
const HEARTBEAT_MS = 30_000;

/** The advisory-lock key of a context's stack. */
export function lockKey(ctx: PgContext): string {
  return advisoryKey("vmsync-apply-lock", ctx.tables.schema, ctx.stack);
}

/** A held PostgreSQL apply lock. `release()` is idempotent and never releases a newer holder's lock. */
export class PgLockHandle implements LockHandle {
  #client: pg.Client;
  #releasing: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout;
  #lost: Error | undefined;

  /** Built by {@link acquirePgLock} once the advisory lock is held and the row written. */
  constructor(readonly info: LockInfo, client: pg.Client, private readonly ctx: PgContext) {
    this.#client = client;
    client.on("error", (err) => (this.#lost ??= err));
    this.#heartbeat = setInterval(() => void client.query("SELECT 1").catch((err: Error) => (this.#lost ??= err)), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Whether `release()` has been called. */
  get released(): boolean {
    return this.#releasing !== undefined;
  }

  /** Why the lock was lost before release (its connection died or was terminated), if it was. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  /** Clears the row (only while it is ours), unlocks, and closes the dedicated connection. */
  release(): Promise<void> {
    this.#releasing ??= this.#release();
    return this.#releasing;
  }

  async #release(): Promise<void> {
    clearInterval(this.#heartbeat);
    const { tables: t, stack } = this.ctx;
    await this.ctx.pool.query(`DELETE FROM ${t.locks} WHERE stack = $1 AND lock_id = $2`, [stack, this.info.id]).catch(() => {});
    if (!this.#lost) await this.#client.query("SELECT pg_advisory_unlock($1::bigint)", [lockKey(this.ctx)]).catch(() => {});
    await this.#client.end().catch(() => {});
  }
}

/** Who holds the advisory lock now: the server pid of its session and, once written, its row. */
interface Holder {
  pid: number;
  info?: LockInfo;
}

/** SQL matching pg_locks rows `lk` of the advisory lock whose halves are parameters $1 and $2. */
const HOLDS_KEY = `lk.locktype = 'advisory' AND lk.granted AND lk.objsubid = 1
  AND lk.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND lk.classid = $1::oid AND lk.objid = $2::oid`;

/** The two unsigned 32-bit halves of the key, as pg_locks shows a bigint advisory lock. */
function keyHalves(ctx: PgContext): [string, string] {
  const k = BigInt.asUintN(64, BigInt(lockKey(ctx)));
  return [(k >> 32n).toString(), (k & 0xffffffffn).toString()];
}

/** The current holder of the stack's advisory lock, or undefined when nobody holds it. */
async function currentHolder(ctx: PgContext): Promise<Holder | undefined> {
  const { rows } = await ctx.pool.query<{ pid: number; info: LockInfo | null }>(
    `SELECT lk.pid, l.info FROM pg_locks lk
       LEFT JOIN ${ctx.tables.locks} l ON l.stack = $3 AND l.backend_pid = lk.pid
      WHERE ${HOLDS_KEY}`,
    [...keyHalves(ctx), ctx.stack],
  );
  const row = rows[0];
  return row ? { pid: row.pid, ...(row.info ? { info: row.info } : {}) } : undefined;
}

/** The holder with its row, waiting briefly for a holder that has the lock but not yet its row. */
async function holderWithRow(ctx: PgContext): Promise<Holder | undefined> {
  const deadline = Date.now() + ROW_WAIT_MS;
  for (;;) {
    const h = await currentHolder(ctx);
    if (!h || h.info || Date.now() > deadline) return h;
    await sleep(20);
  }
}

/** Ends the session of backend `pid` and waits until it no longer holds the lock. */
async function terminate(ctx: PgContext, pid: number): Promise<void> {
  try {
    await ctx.pool.query("SELECT pg_terminate_backend($1)", [pid]);
  } catch (err) {
    throw new Error(
      `cannot end the database session (server pid ${pid}) that holds the state lock at ${ctx.location}: ` +
        `${(err as Error).message}; a database superuser can run SELECT pg_terminate_backend(${pid})`,
      { cause: err },
    );
  }
  const deadline = Date.now() + 10_000;
  while ((await currentHolder(ctx))?.pid === pid) {
    if (Date.now() > deadline) throw new Error(`the database session (server pid ${pid}) holding the state lock at ${ctx.location} did not end`);
    await sleep(20);
  }
}

/** A stand-in for a holder that never wrote its row (it died between taking the lock and writing it). */
function unknownHolder(pid: number): LockInfo {
  return { id: `backend-${pid}`, host: "unknown", pid: 0, user: "unknown", command: `database session ${pid}`, acquiredAt: new Date(0).toISOString() };
}

/**
 * Takes the apply lock of `ctx.stack` for `info` on a new dedicated connection, or throws
 * {@link StateLockedError} naming the live holder. Not re-entrant.
 */
export async function acquirePgLock(ctx: PgContext, holder: Omit<LockInfo, "id" | "acquiredAt">): Promise<PgLockHandle> {
  const info: LockInfo = { id: randomUUID(), host: holder.host, pid: holder.pid, user: holder.user, command: holder.command, acquiredAt: new Date().toISOString() };
  const client = new pg.Client(ctx.target.clientConfig({ application_name: "vmsync lock" }));
  client.on("error", () => {}); // a terminated session is noticed by the handle; never crash the process
  await client.connect();
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const got = (await client.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS got", [lockKey(ctx)])).rows[0]!.got;
      if (got) {
        await client.query(
          `INSERT INTO ${ctx.tables.locks} (stack, lock_id, info, backend_pid, acquired_at) VALUES ($1, $2, $3::json, pg_backend_pid(), now())
           ON CONFLICT (stack) DO UPDATE SET lock_id = excluded.lock_id, info = excluded.info, backend_pid = excluded.backend_pid, acquired_at = excluded.acquired_at`,
          [ctx.stack, info.id, JSON.stringify(info)],
        );
        return new PgLockHandle(info, client, ctx);
      }
      const current = await holderWithRow(ctx);
      if (!current) continue; // released meanwhile: try again
      if (!current.info) throw new StateLockedError(unknownHolder(current.pid), ctx.location);
      if (!isReclaimable(current.info)) throw new StateLockedError(current.info, ctx.location);
      await terminate(ctx, current.pid); // its holder on this host is dead: reclaim
    }
    throw new Error(`could not take the state lock at ${ctx.location} (heavy contention?)`);
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

/**
 * Removes the lock whoever holds it — ends the holder's database session and clears its row — and
 * returns the holder; undefined when nobody held it (a row left by a dead holder is cleared too).
 */
export async function forceUnlockPg(ctx: PgContext): Promise<LockInfo | undefined> {
  const current = await holderWithRow(ctx);
  if (current) await terminate(ctx, current.pid);
  // the holder's row, and any row whose session no longer holds the lock; never a newer holder's row
  await ctx.pool.query(
    `DELETE FROM ${ctx.tables.locks} l WHERE l.stack = $3 AND (l.lock_id = $4 OR NOT EXISTS (
       SELECT 1 FROM pg_locks lk WHERE lk.pid = l.backend_pid AND ${HOLDS_KEY}))`,
    [...keyHalves(ctx), ctx.stack, current?.info?.id ?? ""],
  );
  return current ? (current.info ?? unknownHolder(current.pid)) : undefined;
}
