/**
 * Moving a state (snapshot and history) from any backend into a PostgreSQL stack without loss: both
 * sides are locked, the target is written in one transaction keeping the serial, and the result is
 * read back and compared before success is reported. The source is never modified.
 */
import { isDeepStrictEqual } from "node:util";
import type { HistoryEntry, LockInfo, StateSnapshot, StateStore } from "../contract.js";
import type { PgStateStore } from "./store.js";

/** What a migration moved. */
export interface MigrationResult {
  resources: number;
  pending: number;
  history: number;
  serial: number;
  /** True when the target already held exactly this state: nothing was written. */
  alreadyThere: boolean;
}

/** The target stack holds a different state; nothing was written. */
export class StateMigrationConflictError extends Error {
  readonly code = "STATE_MIGRATION_CONFLICT";
  readonly retryable = false;
  constructor(target: string, found: { serial: number; resources: number; history: number }) {
    super(
      `the target ${target} already holds a different state (serial ${found.serial}, ${found.resources} resources, ` +
        `${found.history} history entries); nothing was written. Use another stack (--stack), or --force to replace it`,
    );
    this.name = "StateMigrationConflictError";
  }
}

/** The state read back from the target differs from the source. The source is intact. */
export class StateMigrationVerifyError extends Error {
  readonly code = "STATE_MIGRATION_VERIFY";
  readonly retryable = false;
  constructor(target: string, what: string) {
    super(`the state read back from ${target} differs from the source (${what}); the source state is unchanged — do not switch to the target`);
    this.name = "StateMigrationVerifyError";
  }
}

/**
 * Copies `source` into `target` (see the module comment). Refuses with
 * {@link StateMigrationConflictError} when the target holds a different, non-empty state unless
 * `force`; succeeds without writing when it already holds the same one.
 */
export async function migrateState(source: StateStore, target: PgStateStore, opts: { force?: boolean; holder: Omit<LockInfo, "id" | "acquiredAt"> }): Promise<MigrationResult> {
  const sourceLock = await source.lock(opts.holder);
  try {
    const targetLock = await target.lock(opts.holder);
    try {
      const snap = await source.read();
      const history = await source.history();
      const result = { resources: Object.keys(snap.resources).length, pending: Object.keys(snap.pending).length, history: history.length, serial: snap.serial };
      const [existing, existingHistory] = [await target.read(), await target.history()];
      if (same(existing, existingHistory, snap, history)) return { ...result, alreadyThere: true };
      if (!isEmpty(existing, existingHistory) && !opts.force) {
        throw new StateMigrationConflictError(target.location, { serial: existing.serial, resources: Object.keys(existing.resources).length, history: existingHistory.length });
      }
      await target.replaceAll(snap, history);
      const [back, backHistory] = [await target.read(), await target.history()];
      if (!isDeepStrictEqual(back, snap)) throw new StateMigrationVerifyError(target.location, "resources, pending creates or serial");
      if (!isDeepStrictEqual(backHistory, history)) throw new StateMigrationVerifyError(target.location, "history");
      return { ...result, alreadyThere: false };
    } finally {
      await targetLock.release();
    }
  } finally {
    await sourceLock.release();
  }
}

function isEmpty(snap: StateSnapshot, history: HistoryEntry[]): boolean {
  return snap.serial === 0 && Object.keys(snap.resources).length === 0 && Object.keys(snap.pending).length === 0 && history.length === 0;
}

function same(a: StateSnapshot, ah: HistoryEntry[], b: StateSnapshot, bh: HistoryEntry[]): boolean {
  return !isEmpty(a, ah) && isDeepStrictEqual(a, b) && isDeepStrictEqual(ah, bh);
}
