import { PveError, lockTimeoutMessage } from "./errors.js";

/** Releases a lock taken with `GuestLocks.acquire`; idempotent. */
export type Release = () => void;

interface LockState {
  exclusive: boolean;
  shared: number;
  waiters: Array<() => void>;
}

/**
 * The per-guest flock `/var/lock/qemu-server/lock-<vmid>.conf`. Holders are exclusive or shared
 * (clone of a stopped source takes it shared). A waiter gives up after `timeoutMs` with PVE's
 * `can't lock file … - got timeout` error (HTTP 500 when raised synchronously).
 */
export class GuestLocks {
  private readonly locks = new Map<number, LockState>();

  /** True while anyone holds the lock of `vmid`. */
  isHeld(vmid: number): boolean {
    const s = this.locks.get(vmid);
    return !!s && (s.exclusive || s.shared > 0);
  }

  /** Takes the lock, waiting up to `timeoutMs`; rejects with the lock-timeout `PveError` (worded for the guest `type`). */
  async acquire(vmid: number, mode: "exclusive" | "shared", timeoutMs: number, type?: "lxc"): Promise<Release> {
    const state = this.state(vmid);
    const deadline = Date.now() + timeoutMs;
    while (!this.tryTake(state, mode)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new PveError(500, `${lockTimeoutMessage(vmid, type)}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          const idx = state.waiters.indexOf(done);
          if (idx >= 0) state.waiters.splice(idx, 1);
          resolve();
        }
        state.waiters.push(done);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mode === "exclusive") state.exclusive = false;
      else state.shared--;
      for (const wake of [...state.waiters]) wake();
    };
  }

  private tryTake(state: LockState, mode: "exclusive" | "shared"): boolean {
    if (state.exclusive) return false;
    if (mode === "shared") {
      state.shared++;
      return true;
    }
    if (state.shared > 0) return false;
    state.exclusive = true;
    return true;
  }

  private state(vmid: number): LockState {
    let s = this.locks.get(vmid);
    if (!s) {
      s = { exclusive: false, shared: 0, waiters: [] };
      this.locks.set(vmid, s);
    }
    return s;
  }
}
