/**
 * The PostgreSQL schema of the state backend and its migrations. vmsync creates and upgrades its own
 * tables: `vmsync_schema_version` lists the migrations applied; every migration runs inside one
 * transaction, serialised across processes by a transaction-scoped advisory lock, and is skipped
 * when already applied, so opening a store any number of times, from any number of processes at
 * once, is safe. A database migrated by a newer vmsync is refused rather than misread.
 *
 * Every table has a `stack` column: several stacks share one database.
 */
import { createHash } from "node:crypto";
import type { ClientBase } from "pg";

/** Fully qualified, quoted names of the tables of one schema. */
export interface PgTables {
  schema: string;
  version: string;
  stacks: string;
  resources: string;
  pending: string;
  history: string;
  locks: string;
  leases: string;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table names in `schema` (lower-case letters, digits, `_`; default `public`). */
export function pgTables(schema = "public"): PgTables {
  if (!SCHEMA_RE.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  const q = (table: string) => `${ident(schema)}.${ident(table)}`;
  return {
    schema,
    version: q("vmsync_schema_version"),
    stacks: q("vmsync_stacks"),
    resources: q("vmsync_resources"),
    pending: q("vmsync_pending"),
    history: q("vmsync_history"),
    locks: q("vmsync_locks"),
    leases: q("vmsync_leases"),
  };
}

/**
 * A signed 64-bit advisory-lock key (as a decimal string) derived from `parts`. Distinct names give
 * distinct keys with overwhelming probability, so every (schema, stack) pair has its own lock.
 */
export function advisoryKey(...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("\0")).digest();
  return digest.readBigInt64BE(0).toString();
}

interface Migration {
  version: number;
  description: string;
  statements: (t: PgTables) => string[];
}

/** Every migration, in order. Append only: a released migration is never edited. */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "stacks (serial), resources, pending creates, history, apply locks, leader leases",
    statements: (t) => [
      `CREATE TABLE ${t.stacks} (
        stack text PRIMARY KEY,
        serial bigint NOT NULL DEFAULT 0 CHECK (serial >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE ${t.resources} (
        stack text NOT NULL,
        address text NOT NULL,
        kind text,
        provider text,
        external_id text,
        protect boolean NOT NULL DEFAULT false,
        record json NOT NULL,
        serial bigint NOT NULL,
        PRIMARY KEY (stack, address))`,
      `CREATE TABLE ${t.pending} (
        stack text NOT NULL,
        address text NOT NULL,
        record json NOT NULL,
        serial bigint NOT NULL,
        PRIMARY KEY (stack, address))`,
      `CREATE TABLE ${t.history} (
        stack text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id text NOT NULL,
        command text,
        result text,
        started_at text,
        entry json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, seq))`,
      `CREATE TABLE ${t.locks} (
        stack text PRIMARY KEY,
        lock_id text NOT NULL,
        info json NOT NULL,
        backend_pid integer NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE ${t.leases} (
        stack text NOT NULL,
        name text NOT NULL,
        holder_id text NOT NULL,
        holder json NOT NULL,
        term bigint NOT NULL,
        acquired_at timestamptz NOT NULL,
        renewed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (stack, name))`,
    ],
  },
];

/** The schema version this vmsync writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Thrown when the database was migrated by a newer vmsync. */
export class PgSchemaTooNewError extends Error {
  readonly code = "STATE_SCHEMA_TOO_NEW";
  readonly retryable = false;
  constructor(readonly found: number, where: string) {
    super(`the state database ${where} has schema version ${found}, newer than ${SCHEMA_VERSION} of this vmsync; upgrade vmsync to use it`);
    this.name = "PgSchemaTooNewError";
  }
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION} in one transaction on `client` (which must not be
 * inside a transaction) and returns the version found before. `where` names the database in errors.
 */
export async function migrate(client: ClientBase, t: PgTables, where: string): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [advisoryKey("vmsync-migrate", t.schema)]);
    if (t.schema !== "public") await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(t.schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.version} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const found = Number((await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${t.version}`)).rows[0]!.v);
    if (found > SCHEMA_VERSION) throw new PgSchemaTooNewError(found, where);
    for (const m of MIGRATIONS.filter((x) => x.version > found)) {
      for (const sql of m.statements(t)) await client.query(sql);
      await client.query(`INSERT INTO ${t.version} (version, description) VALUES ($1, $2)`, [m.version, m.description]);
    }
    await client.query("COMMIT");
    return found;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
