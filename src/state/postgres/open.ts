/**
 * Opening a PostgreSQL state: connect, create or migrate the schema, and hand back a
 * {@link PgStateStore} for one stack. Connection failures name the redacted URL, never the password.
 */
import pg from "pg";
import type { PgContext } from "./context.js";
import { PgLeaderLease, type PgLeaderLeaseOptions } from "./leader-lease.js";
import { migrate, pgTables } from "./schema.js";
import { PgStateStore } from "./store.js";
import { resolvePgTarget, type PgTarget } from "./url.js";

/** Options of {@link openPgStateStore}. */
export interface PgStateStoreOptions {
  /** Stack name (rows of other stacks are never touched). Letters, digits, `.`, `_`, `-`; default `default`. */
  stack?: string;
  /** PostgreSQL schema holding vmsync's tables; created when missing. Default `public`. */
  schema?: string;
  /** Most pooled connections (the apply lock and leader leases use their own). Default 10. */
  maxConnections?: number;
}

/** Thrown when the database cannot be reached or refuses the login. */
export class PgStateConnectError extends Error {
  readonly code = "STATE_UNREACHABLE";
  readonly retryable = true;
  constructor(where: string, cause: unknown) {
    super(`cannot open the state database ${where}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "PgStateConnectError";
  }
}

const STACK_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The shared context (pool, tables, stack, location) for `target`; connects lazily. */
export function pgContext(target: PgTarget, opts: PgStateStoreOptions = {}): PgContext {
  const stack = opts.stack ?? "default";
  if (!STACK_RE.test(stack)) {
    throw new Error(`invalid stack name ${JSON.stringify(stack)}: use letters, digits, ".", "_" or "-" (at most 63)`);
  }
  const tables = pgTables(opts.schema);
  const pool = new pg.Pool(target.clientConfig({ max: opts.maxConnections ?? 10, idleTimeoutMillis: 10_000, allowExitOnIdle: true }));
  pool.on("error", () => {}); // an idle connection dropped by the server is replaced on next use
  const where = tables.schema === "public" ? `stack ${stack}` : `stack ${stack}, schema ${tables.schema}`;
  return { pool, target, tables, stack, location: `${target.redacted} (${where})` };
}

/**
 * Opens the state of `opts.stack` in the database at `target` (a URL — its password, if any, is
 * kept secret — or a resolved {@link PgTarget}), creating or migrating vmsync's tables first.
 */
export async function openPgStateStore(target: string | PgTarget, opts: PgStateStoreOptions = {}): Promise<PgStateStore> {
  return new PgStateStore(await openContext(target, opts));
}

/**
 * A {@link PgLeaderLease} with its own small pool on `target` (schema migrated first), for a daemon
 * that does not keep a PostgreSQL state store open; `close()` ends the pool. A daemon that does can
 * use `new PgLeaderLease(store.context, opts)` instead.
 */
export async function openPgLeaderLease(target: string | PgTarget, opts: PgStateStoreOptions & PgLeaderLeaseOptions = {}): Promise<PgLeaderLease> {
  const ctx = await openContext(target, { maxConnections: 2, ...opts });
  return new PgLeaderLease(ctx, { ...opts, ownsPool: true });
}

async function openContext(target: string | PgTarget, opts: PgStateStoreOptions): Promise<PgContext> {
  const resolved = typeof target === "string" ? await resolvePgTarget(target) : target;
  const ctx = pgContext(resolved, opts);
  try {
    const client = await ctx.pool.connect();
    try {
      await migrate(client, ctx.tables, resolved.redacted);
    } finally {
      client.release();
    }
  } catch (err) {
    await ctx.pool.end().catch(() => {});
    if ((err as { code?: string }).code === "STATE_SCHEMA_TOO_NEW") throw err;
    throw new PgStateConnectError(resolved.redacted, err);
  }
  return ctx;
}
