/**
 * Behaviour knobs shared by every simulator. All default to "a fast, healthy server".
 * `faultRate` is the probability (0..1) that a request fails with a transient error the real API
 * can produce (5xx/596 or a lock timeout on Proxmox, a CallError/EBUSY on TrueNAS, 429/503 on ARM).
 * `seed` makes the fault sequence and generated ids (MACs, UUIDs) reproducible.
 */
export interface SimKnobs {
  latencyMs: number;
  taskDurationMs: number;
  faultRate: number;
  seed: number;
  /** How long a simulated guest takes from power-on until its SSH server and guest agent answer (ms). */
  guestBootMs: number;
}

/** The defaults used when a knob is not given. */
export const defaultKnobs: SimKnobs = { latencyMs: 0, taskDurationMs: 50, faultRate: 0, seed: 1, guestBootMs: 0 };

/**
 * A small deterministic PRNG (mulberry32) so that fault injection and generated values are
 * reproducible from `SimKnobs.seed`. Not for cryptography.
 */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** `n` random bytes as lower-case hex. */
  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i++) out += this.int(256).toString(16).padStart(2, "0");
    return out;
  }
}

/** Resolves after `ms` milliseconds (0 resolves on the next macrotask). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
