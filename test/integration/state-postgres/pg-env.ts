/**
 * Where the PostgreSQL tests find their server, and names that keep each test hermetic. The tests
 * FAIL (never skip) without a server: `.ci/run` always starts one.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test database URL from VMSYNC_TEST_PG_URL; throws a how-to when it is unset. */
export function testPgUrl(): string {
  const url = process.env.VMSYNC_TEST_PG_URL;
  if (!url) {
    throw new Error(
      "VMSYNC_TEST_PG_URL is not set: the PostgreSQL state tests need a real server. Start one on " +
        'loopback with `eval "$(bash .ci/postgres-up)"` (installs Debian\'s postgresql when missing, ' +
        "as root) and run the tests again from that shell; .ci/run does this itself.",
    );
  }
  return url;
}

/** A stack or schema name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Runs one statement on the test database with a short-lived connection (for setup and cleanup). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Deletes every row of `stack` from vmsync's tables in `schema` (default public). */
export async function dropStack(stack: string, schema = "public"): Promise<void> {
  for (const t of ["vmsync_resources", "vmsync_pending", "vmsync_history", "vmsync_locks", "vmsync_leases", "vmsync_stacks"]) {
    await adminQuery(`DELETE FROM "${schema}"."${t}" WHERE stack = $1`, [stack]).catch(() => {});
  }
}
