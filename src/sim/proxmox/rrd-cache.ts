import type { VmSummary } from "./vm-summary.js";

interface Sample {
  at: number;
  s: VmSummary;
}

/**
 * The pvestatd/RRD view `/cluster/resources` serves: each guest's status figures as they were
 * `lagMs` ago. Every change to a guest records a sample; a read returns the newest sample at least
 * `lagMs` old, or nothing for a guest younger than that (PVE lists it with `status: "unknown"` and no
 * name). Guests loaded from disk count as old. Deterministic, unlike a 10 s refresh timer.
 */
export class RrdCache {
  private readonly samples = new Map<number, Sample[]>();

  constructor(public lagMs: number) {}

  /** Records the current figures of a guest (call after every change). */
  record(s: VmSummary, at = Date.now()): void {
    const list = this.samples.get(s.vmid) ?? [];
    list.push({ at, s });
    this.samples.set(s.vmid, list);
    if (list.length > 8) this.read(s.vmid, at);
  }

  /** Forgets a destroyed guest. */
  forget(vmid: number): void {
    this.samples.delete(vmid);
  }

  /** The figures of `vmid` as the RRD knows them now, or undefined when not yet collected. */
  read(vmid: number, now = Date.now()): VmSummary | undefined {
    const list = this.samples.get(vmid);
    if (!list) return undefined;
    const cutoff = now - this.lagMs;
    let idx = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.at <= cutoff) {
        idx = i;
        break;
      }
    }
    if (idx < 0) return undefined;
    if (idx > 0) list.splice(0, idx);
    return list[0]!.s;
  }
}
