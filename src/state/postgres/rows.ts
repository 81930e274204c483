/**
 * Reading and writing the rows of one stack: a resource per row in `vmsync_resources`, a pending
 * create per row in `vmsync_pending`, the serial in `vmsync_stacks`. Records are stored as `json`
 * (not `jsonb`), so what comes back is exactly what was written, key order included; the columns
 * beside them (kind, provider, external id, protect) are copies for people querying the database.
 * Every function here runs on a client the caller has put inside a transaction.
 */
import type { ClientBase } from "pg";
import { emptyState, type HistoryEntry, type PendingCreate, type ResourceRecord, type StateChange, type StateSnapshot } from "../contract.js";
import type { PgContext } from "./context.js";

/** The stack's snapshot (consistent when the transaction is REPEATABLE READ). */
export async function readSnapshot(c: ClientBase, ctx: PgContext): Promise<StateSnapshot> {
  const t = ctx.tables;
  const serial = (await c.query<{ serial: string }>(`SELECT serial FROM ${t.stacks} WHERE stack = $1`, [ctx.stack])).rows[0]?.serial;
  const snap = emptyState();
  if (serial === undefined) return snap;
  snap.serial = Number(serial);
  const res = await c.query<{ address: string; record: ResourceRecord }>(`SELECT address, record FROM ${t.resources} WHERE stack = $1 ORDER BY address`, [ctx.stack]);
  for (const r of res.rows) snap.resources[r.address] = r.record;
  const pen = await c.query<{ address: string; record: PendingCreate }>(`SELECT address, record FROM ${t.pending} WHERE stack = $1 ORDER BY address`, [ctx.stack]);
  for (const r of pen.rows) snap.pending[r.address] = r.record;
  return snap;
}

/** Creates the stack's row if missing, locks it, bumps the serial and returns the new value. */
export async function bumpSerial(c: ClientBase, ctx: PgContext, to?: number): Promise<number> {
  const t = ctx.tables;
  await c.query(`INSERT INTO ${t.stacks} (stack) VALUES ($1) ON CONFLICT (stack) DO NOTHING`, [ctx.stack]);
  const { rows } = await c.query<{ serial: string }>(
    `UPDATE ${t.stacks} SET serial = coalesce($2::bigint, serial + 1), updated_at = now() WHERE stack = $1 RETURNING serial`,
    [ctx.stack, to ?? null],
  );
  return Number(rows[0]!.serial);
}

/**
 * Writes the net effect of a validated batch: for every address the last change wins (a put after
 * a remove is a put, and the reverse a delete), exactly as applying the changes in order would.
 */
export async function writeChanges(c: ClientBase, ctx: PgContext, changes: readonly StateChange[], serial: number): Promise<void> {
  const resources = new Map<string, ResourceRecord | null>();
  const pending = new Map<string, PendingCreate | null>();
  for (const ch of changes) {
    if (ch.type === "putResource") resources.set(ch.record.address, ch.record);
    else if (ch.type === "removeResource") resources.set(ch.address, null);
    else if (ch.type === "putPending") pending.set(ch.pending.address, ch.pending);
    else pending.set(ch.address, null);
  }
  await putRows(c, ctx, "resources", present(resources), serial);
  await deleteRows(c, ctx, "resources", absent(resources));
  await putRows(c, ctx, "pending", present(pending), serial);
  await deleteRows(c, ctx, "pending", absent(pending));
}

/** Replaces everything the stack holds (state and history) with `snap` and `historyOldestFirst`. */
export async function replaceStack(c: ClientBase, ctx: PgContext, snap: StateSnapshot, historyOldestFirst: HistoryEntry[]): Promise<void> {
  const t = ctx.tables;
  await bumpSerial(c, ctx, snap.serial);
  for (const table of [t.resources, t.pending, t.history]) await c.query(`DELETE FROM ${table} WHERE stack = $1`, [ctx.stack]);
  await putRows(c, ctx, "resources", Object.values(snap.resources), snap.serial);
  await putRows(c, ctx, "pending", Object.values(snap.pending), snap.serial);
  for (const entry of historyOldestFirst) await insertHistory(c, ctx, entry);
}

/** Appends one history entry. */
export async function insertHistory(c: Pick<ClientBase, "query">, ctx: PgContext, entry: HistoryEntry): Promise<void> {
  await c.query(
    `INSERT INTO ${ctx.tables.history} (stack, id, command, result, started_at, entry) VALUES ($1, $2, $3, $4, $5, $6::json)`,
    [ctx.stack, entry.id, str(entry.command), str(entry.result), str(entry.startedAt), JSON.stringify(entry)],
  );
}

const present = <T>(m: Map<string, T | null>) => [...m.values()].filter((v): v is T => v !== null);
const absent = <T>(m: Map<string, T | null>) => [...m].filter(([, v]) => v === null).map(([k]) => k);
const str = (v: unknown) => (typeof v === "string" ? v : null);

async function putRows(c: ClientBase, ctx: PgContext, which: "resources" | "pending", records: unknown[], serial: number): Promise<void> {
  if (records.length === 0) return;
  const params = [ctx.stack, JSON.stringify(records), serial];
  if (which === "pending") {
    await c.query(
      `INSERT INTO ${ctx.tables.pending} (stack, address, record, serial)
       SELECT $1, r->>'address', r, $3 FROM json_array_elements($2::json) AS r
       ON CONFLICT (stack, address) DO UPDATE SET record = excluded.record, serial = excluded.serial`,
      params,
    );
    return;
  }
  await c.query(
    `INSERT INTO ${ctx.tables.resources} (stack, address, kind, provider, external_id, protect, record, serial)
     SELECT $1, r->>'address', r->>'kind', r->>'provider', r->>'externalId',
            CASE WHEN json_typeof(r->'protect') = 'boolean' THEN (r->>'protect')::boolean ELSE false END, r, $3
       FROM json_array_elements($2::json) AS r
     ON CONFLICT (stack, address) DO UPDATE SET kind = excluded.kind, provider = excluded.provider,
       external_id = excluded.external_id, protect = excluded.protect, record = excluded.record, serial = excluded.serial`,
    params,
  );
}

async function deleteRows(c: ClientBase, ctx: PgContext, which: "resources" | "pending", addresses: string[]): Promise<void> {
  if (addresses.length === 0) return;
  await c.query(`DELETE FROM ${ctx.tables[which]} WHERE stack = $1 AND address = ANY($2::text[])`, [ctx.stack, addresses]);
}
