/**
 * Per-connection state shared by both transports: authentication, connection options
 * (`core.set_options`), subscriptions and the per-connection call semaphore (10 running, 20 in
 * flight — reference §1.3).
 */
import { randomUUID } from "node:crypto";

/** Event kinds pushed to subscribers. */
export type EventKind = "added" | "changed" | "removed";

/** What a transport supplies so the core can talk back on this connection. */
export interface SessionIO {
  /** Pushes a collection event in the transport's own framing. */
  event(msg: EventKind, collection: string, id: unknown, fields: Record<string, unknown> | undefined): void;
  /** Ends the connection (e.g. `dropConnections()`); abrupt when no code is given. */
  close(code?: number, reason?: string): void;
}

/** Soft limit: calls that run at once; hard limit: calls in flight (the 21st is refused). */
export const SOFT_LIMIT = 10;
export const HARD_LIMIT = 20;

/** One websocket connection. */
export class Session {
  readonly id = randomUUID();
  auth: { username: string; at: number; mechanism: string } | null = null;
  /** Set by `expireSessions()`: the login is kept but no longer valid. */
  expired = false;
  options = { legacy_jobs: true, private_methods: false, py_exceptions: false };
  /** subscription id → collection name */
  readonly subs = new Map<string, string>();
  inflight = 0;
  /** An in-process admin session (drift tool): no limits, faults or latency; jobs are awaited. */
  internal = false;
  private running = 0;
  private queue: (() => void)[] = [];

  constructor(
    readonly transport: "legacy" | "jsonrpc",
    readonly remote: string,
    readonly io: SessionIO,
  ) {}

  /** Waits until fewer than SOFT_LIMIT calls run on this connection, then takes a slot. */
  async acquire(): Promise<void> {
    if (this.running < SOFT_LIMIT) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  /** Gives back a slot taken by `acquire()` (hands it to the next waiter). */
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }

  /** Whether a subscription for `collection` exists on this connection. */
  subscribed(collection: string): boolean {
    for (const c of this.subs.values()) if (c === collection) return true;
    return false;
  }
}
