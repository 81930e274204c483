/**
 * Who may reconcile when several daemons watch one stack. A later PostgreSQL backend implements it
 * with an advisory lock or a lease row; the daemon only reconciles, applies and runs schedules while
 * `isLeader()` is true, calls `renew()` before each reconcile, and `release()` on shutdown.
 */
export interface Leadership {
  /** Tries to become leader; resolves true when this daemon leads. May be called again later. */
  acquire(signal: AbortSignal): Promise<boolean>;
  /** Extends the lease; resolves false when leadership was lost (another daemon took over). */
  renew(): Promise<boolean>;
  /** Whether this daemon leads right now (cheap; no I/O). */
  isLeader(): boolean;
  /** Gives leadership up (idempotent). */
  release(): Promise<void>;
  /** A short description for `/status`, e.g. `single` or `postgres lease held by host-2`. */
  describe(): string;
}

/** The default for one daemon per stack: always the leader. */
export class AlwaysLeader implements Leadership {
  private released = false;
  async acquire(): Promise<boolean> {
    this.released = false;
    return true;
  }
  async renew(): Promise<boolean> {
    return !this.released;
  }
  isLeader(): boolean {
    return !this.released;
  }
  async release(): Promise<void> {
    this.released = true;
  }
  describe(): string {
    return "single (always leader)";
  }
}
