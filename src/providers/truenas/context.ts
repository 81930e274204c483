/**
 * What every operation of a session shares: the client, the dialect of the server's version, the
 * stack written into markers, and secret reading. Built once by session.ts.
 */
import type { TruenasClient } from "./client.js";

/** Version-dependent shapes (reference §0 matrix). */
export interface Dialect {
  /** "24.10.2", "25.10.1", … */
  version: string;
  /** Device entries and payloads carry `attributes.dtype` (25.04.2+) instead of a top-level `dtype`. */
  dtypeInAttributes: boolean;
  /** Services are started with the `service.control` job (25.10+) rather than `service.start`. */
  serviceControl: boolean;
  /** One-off snapshots are `pool.snapshot.*` (25.10+) instead of `zfs.snapshot.*`. */
  poolSnapshot: boolean;
}

/** The dialect of a `system.version` string ("TrueNAS-SCALE-24.10.2", "TrueNAS-25.10.1"). */
export function dialectOf(versionString: string): Dialect {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(versionString);
  const major = Number(m?.[1] ?? 0);
  const minor = Number(m?.[2] ?? 0);
  const at = (a: number, b: number) => major > a || (major === a && minor >= b);
  return { version: m ? m[0] : versionString, dtypeInAttributes: at(25, 4), serviceControl: at(25, 10), poolSnapshot: at(25, 10) };
}

/** Shared by the operations of one session. */
export interface SessionContext {
  client: TruenasClient;
  dialect: Dialect;
  stack: string;
  /** Provider name (for messages). */
  provider: string;
  /** Pool from `defaults.pool`, when set. */
  pool?: string;
  /** Reads a secret reference string (`env:NAME` / `file:PATH`, relative to the Provider manifest); throws a permanent error naming the reference. */
  readSecret(ref: string): Promise<string>;
  /** Like readSecret, but undefined when the secret cannot be read (observe must not fail for it). */
  tryReadSecret(ref: string): Promise<string | undefined>;
}
