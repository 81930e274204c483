/**
 * What the pieces of the PostgreSQL backend share: the pool, the connection target, the table names
 * and the stack. Plus the two helpers every piece uses: a transaction and a short sleep.
 */
import type { Pool, PoolClient } from "pg";
import type { PgTables } from "./schema.js";
import type { PgTarget } from "./url.js";

/** One open PostgreSQL state: a pool on `target`, tables in `tables.schema`, rows of `stack`. */
export interface PgContext {
  pool: Pool;
  target: PgTarget;
  tables: PgTables;
  stack: string;
  /** The redacted URL plus stack: what users see, and what StateLockedError names. */
  location: string;
}

/**
 * Runs `fn` inside `BEGIN … COMMIT` on one pooled connection; rolls back and rethrows when it throws.
 * `mode` is appended to BEGIN (e.g. `ISOLATION LEVEL REPEATABLE READ READ ONLY`).
 */
export async function withTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>, mode = ""): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(`BEGIN ${mode}`.trim());
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
