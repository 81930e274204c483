import { randomUUID } from "node:crypto";
import type { DesiredState } from "../manifest/model.js";
import { cronOf } from "../manifest/resolve-schedules.js";
import { runSnapshotRound, snapshotHistoryEntry, type Retention, type SnapshotResult } from "../reconcile/snapshots.js";
import type { LockInfo, StateStore } from "../state/contract.js";
import type { Clock } from "./clock.js";
import type { Leadership } from "./leadership.js";
import type { Logger } from "./log.js";
import type { ConnectFn } from "./reconcile-pass.js";
import { dueSlot, nextSlot } from "./schedule-slots.js";
import type { ScheduleStatus } from "./status.js";

/** A schedule the daemon runs itself (targets on providers without native schedules). */
export interface OwnSchedule {
  name: string;
  cron: string;
  retention: Retention;
  targets: string[];
}

/** What a finished schedule run reports to the daemon (metrics, notifications, status). */
export interface ScheduleRun {
  schedule: string;
  startedAt: number;
  result: "succeeded" | "failed" | "partial";
  results: SnapshotResult[];
}

/** The daemon-run schedules of the manifests: no provider, not suspended, with targets. */
export function ownSchedules(desired: DesiredState): OwnSchedule[] {
  return desired.resources
    .filter((r) => r.kind === "SnapshotSchedule" && r.provider === undefined && !r.lifecycle.suspend)
    .map((r) => {
      const spec = r.spec as { schedule: string; retention: Retention; resolvedTargets: string[] };
      return { name: r.name, cron: cronOf(spec.schedule) ?? spec.schedule, retention: spec.retention, targets: spec.resolvedTargets };
    })
    .filter((s) => s.targets.length > 0);
}

/**
 * Runs snapshot schedules on time (cron in UTC, on the injected clock): one round per slot — take,
 * then prune beyond retention — recorded in state history as `snapshot run NAME` (the same entry
 * `vmsync snapshot run` writes, so either one counts as the last run). After downtime it runs at
 * most once for the latest missed slot; a schedule never seen before starts from now.
 */
export class ScheduleRunner {
  private schedules: OwnSchedule[] = [];
  private desired: DesiredState | undefined;
  private readonly lastRun = new Map<string, number>();
  private readonly status = new Map<string, ScheduleStatus>();
  private readonly running = new Set<Promise<void>>();
  private busy = new Set<string>();
  private cancelTimer: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly opts: {
      clock: Clock; store: StateStore; connect: ConnectFn; stack: string; env: NodeJS.ProcessEnv; leadership: Leadership; logger: Logger;
      lockHolder: Omit<LockInfo, "id" | "acquiredAt">; signal: AbortSignal; revision: () => string | undefined; onRun: (run: ScheduleRun) => void;
    },
  ) {}

  /** Takes the schedules of freshly loaded manifests; new ones learn their last run from history. */
  async update(desired: DesiredState): Promise<void> {
    this.desired = desired;
    this.schedules = ownSchedules(desired);
    const unknown = this.schedules.filter((s) => !this.lastRun.has(s.name));
    if (unknown.length) {
      const history = await this.opts.store.history(500);
      for (const s of unknown) {
        const last = history.find((h) => h.command === `snapshot run ${s.name}`);
        this.lastRun.set(s.name, last ? Date.parse(last.startedAt) : this.opts.clock.now());
        if (last) this.status.set(s.name, { name: s.name, cron: s.cron, targets: s.targets, lastRun: last.startedAt, lastResult: last.result === "cancelled" ? "failed" : last.result });
      }
    }
    await this.tick();
  }

  /** Runs every schedule that is due now, then arms the timer for the next slot. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    if (this.opts.leadership.isLeader()) {
      for (const s of this.schedules) {
        if (this.busy.has(s.name) || dueSlot(s.cron, this.lastRun.get(s.name) ?? now, now) === undefined) continue;
        this.lastRun.set(s.name, now);
        this.busy.add(s.name);
        const p = this.runOnce(s, now).finally(() => {
          this.busy.delete(s.name);
          this.running.delete(p);
        });
        this.running.add(p);
      }
    }
    this.arm();
  }

  /** The schedules' status for `/status`. */
  statuses(): ScheduleStatus[] {
    return this.schedules.map((s) => ({ ...this.status.get(s.name), name: s.name, cron: s.cron, targets: s.targets, nextRun: new Date(nextSlot(s.cron, this.opts.clock.now())).toISOString() }));
  }

  /** Stops arming timers and waits for rounds in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when no round is in progress (tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.stopped || this.schedules.length === 0) return;
    const now = this.opts.clock.now();
    const next = Math.min(...this.schedules.map((s) => nextSlot(s.cron, now)));
    // wake at the slot (capped, so a clock jump is noticed within 5 minutes)
    this.cancelTimer = this.opts.clock.setTimer(Math.min(next - now, 5 * 60_000) + 5, () => void this.tick());
  }

  private async runOnce(s: OwnSchedule, startedAt: number): Promise<void> {
    const desired = this.desired!;
    const o = this.opts;
    let results: SnapshotResult[];
    try {
      const state = await o.store.read();
      const targets = s.targets.map((a) => state.resources[a]).filter((r) => r !== undefined);
      const missing = s.targets.filter((a) => !state.resources[a]);
      if (missing.length) o.logger.log("warn", "schedule targets not applied yet; no snapshot taken of them", { schedule: s.name, targets: missing });
      if (targets.length === 0) return;
      const conn = await o.connect([...new Set(targets.map((t) => t.provider))].sort(), desired, { stack: o.stack, env: o.env, signal: o.signal });
      try {
        results = await runSnapshotRound({ schedule: s.name, retention: s.retention, targets, sessions: conn.sessions, now: new Date(startedAt), signal: o.signal });
      } finally {
        await conn.close();
      }
    } catch (err) {
      results = s.targets.map((t) => ({ target: t, pruned: [], error: err instanceof Error ? err.message : String(err) }));
    }
    const revision = o.revision();
    const entry = snapshotHistoryEntry({
      id: randomUUID(), schedule: s.name, results, user: o.lockHolder.user, host: o.lockHolder.host, startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(o.clock.now()).toISOString(),
      ...(revision ? { revision } : {}),
    });
    const result = entry.result;
    await o.store.appendHistory(entry).catch((err: unknown) => o.logger.log("error", "cannot record a schedule run in history", { schedule: s.name, error: String(err) }));
    const firstError = results.find((r) => r.error)?.error;
    this.status.set(s.name, { name: s.name, cron: s.cron, targets: s.targets, lastRun: new Date(startedAt).toISOString(), lastResult: result, ...(firstError ? { lastError: firstError } : {}) });
    o.onRun({ schedule: s.name, startedAt, result, results });
  }
}
