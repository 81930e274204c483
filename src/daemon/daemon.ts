import type { ExecEvent } from "../reconcile/events.js";
import { settlesWithin } from "./bounded.js";
import { nextWindowOpen, windowOpen } from "./change-window.js";
import type { Clock } from "./clock.js";
import type { GitSource } from "./git-source.js";
import { ResourceHealth } from "./health.js";
import { startHttpServer, type DaemonHttp } from "./http-server.js";
import { AlwaysLeader, type Leadership } from "./leadership.js";
import type { Logger } from "./log.js";
import { DaemonMetrics } from "./metrics.js";
import { notificationsForPass, type DaemonNotification, type NotifyMemo } from "./notify-format.js";
import type { Notifier } from "./notify.js";
import { logPass, logEvent, logScheduleRun } from "./pass-log.js";
import type { PassResult } from "./pass-types.js";
import { reconcilePass, type PassContext } from "./reconcile-pass.js";
import { memoryCacheStore } from "../reconcile/observe-caches.js";
import { ParseCache } from "../manifest/parse-cache.js";
import { jittered, Wakeups } from "./resync.js";
import { RunQueue } from "./run-queue.js";
import { GitPoller } from "./git-poller.js";
import { ScheduleRunner, type ScheduleRun } from "./schedule-runner.js";
import { StatusTracker, type DaemonStatus } from "./status.js";
import { LiveView } from "./web/live-view.js";
import { createWebRoutes } from "./web/routes.js";
import { watchManifests, type ManifestWatcher } from "./watcher.js";

/**
 * Everything `vmsync watch` configures: what each reconcile pass needs (the PassContext fields the
 * daemon does not build itself; `paths` are relative to `cwd`, the clone in git mode) plus the
 * daemon's own timing, sources and outputs. Times are in ms of the injected clocks.
 */
export interface DaemonOptions
  extends Pick<PassContext, "stack" | "paths" | "cwd" | "store" | "env" | "mode" | "planOptions" | "windows" | "clock" | "connect" | "parallelism" | "execution" | "lockHolder"> {
  intervalMs: number;
  /** Share of the interval resyncs are spread by (default 0.1). */
  jitter?: number;
  debounceMs: number;
  /** Watch the manifest files (off in git mode: the tree changes only by checkout). */
  watchFiles: boolean;
  git?: { source: GitSource; pollMs: number };
  /** Clock of snapshot schedules (the test clock may run fast); defaults to `clock`. */
  scheduleClock?: Clock;
  leadership?: Leadership;
  logger: Logger;
  notifier?: Notifier;
  http?: { host: string; port: number; token?: string };
  random?: () => number;
  health?: ResourceHealth;
  /** Expose process metrics (off in unit tests). */
  processMetrics?: boolean;
}

/** Default of `--shutdown-timeout`: how long running steps may take to finish after SIGTERM. */
export const DEFAULT_SHUTDOWN_MS = 30_000;
/** After cancelling, how long the shutdown waits for cancelled work to record its outcome. */
const CANCEL_GRACE_MS = 5_000;
/** How long webhooks in flight may take at shutdown (at most; never beyond the shutdown timeout). */
const WEBHOOK_GRACE_MS = 5_000;

/**
 * The watch daemon. Reconcile passes are serialised by a queue (never overlapping; changes during
 * a pass queue exactly one more), triggered by manifest changes, new git commits, the jittered
 * resync interval, the end of a backoff and the opening of a change window. Serves health, metrics
 * and status; sends notifications; runs snapshot schedules in apply mode. `stop()` is the bounded
 * graceful shutdown (see there).
 */
export class Daemon {
  readonly metrics: DaemonMetrics;
  readonly status: StatusTracker;
  readonly health: ResourceHealth;
  readonly leadership: Leadership;
  readonly schedules: ScheduleRunner;
  /** The fleet and the last plan for the status page (`/`) and `/status`. */
  readonly live: LiveView;
  private readonly queue: RunQueue;
  private readonly wake: Wakeups;
  private readonly stopCtl = new AbortController();
  private readonly abortCtl = new AbortController();
  private readonly ctx: PassContext;
  private watcher: ManifestWatcher | undefined;
  private poller: GitPoller | undefined;
  private http: DaemonHttp | undefined;
  private memo: NotifyMemo = { drift: "", invalid: "" };
  private lastRevision: string | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<{ settled: boolean }> | undefined;

  constructor(private readonly o: DaemonOptions) {
    this.health = o.health ?? new ResourceHealth(o.random ? { random: o.random } : {});
    this.leadership = o.leadership ?? new AlwaysLeader();
    this.metrics = new DaemonMetrics({ processMetrics: o.processMetrics !== false });
    this.status = new StatusTracker({
      stack: o.stack, mode: o.mode, startedAt: o.clock.now(), windows: o.windows.map((w) => w.text), leader: { isLeader: false, describe: this.leadership.describe() },
      source: { paths: o.paths, ...(o.git ? { git: o.git.source.describe() } : {}) },
    });
    this.live = new LiveView({ stack: o.stack, store: o.store, clock: o.clock, status: () => this.statusDocument() });
    this.wake = new Wakeups(o.clock);
    this.queue = new RunQueue((reasons) => this.runPass(reasons), (err) => o.logger.log("error", "reconcile crashed", { error: String(err) }));
    this.ctx = {
      stack: o.stack, paths: o.paths, cwd: o.cwd, store: o.store, env: o.env, mode: o.mode, planOptions: o.planOptions, windows: o.windows, clock: o.clock,
      connect: o.connect, parallelism: o.parallelism, lockHolder: o.lockHolder, ...(o.execution ? { execution: o.execution } : {}),
      health: this.health, leadership: this.leadership, stop: this.stopCtl.signal, abort: this.abortCtl.signal, observeCache: memoryCacheStore(), parseCache: new ParseCache(),
      onEvent: (e: ExecEvent) => (this.metrics.onEvent(e), logEvent(o.logger, e)), onRequest: this.metrics.onRequest,
    };
    this.schedules = new ScheduleRunner({
      clock: o.scheduleClock ?? o.clock, store: o.store, connect: o.connect, stack: o.stack, env: o.env, leadership: this.leadership, logger: o.logger,
      lockHolder: o.lockHolder, signal: this.abortCtl.signal, revision: () => this.lastRevision ?? o.git?.source.revision, onRun: (run) => this.onScheduleRun(run),
    });
  }

  /** The HTTP address once started (`http://127.0.0.1:PORT`). */
  get url(): string | undefined {
    return this.http?.url;
  }

  /** Starts serving, watching and the first reconcile (nothing more once a stop has begun). */
  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    const o = this.o;
    this.lastRevision = (await o.store.history(200)).find((h) => h.command.startsWith("watch") && h.revision)?.revision;
    await this.leadership.acquire(this.stopCtl.signal);
    if (this.stopCtl.signal.aborted) return;
    this.metrics.setLeader(this.leadership.isLeader());
    if (o.http) {
      this.http = await startHttpServer({
        ...o.http,
        sources: { healthy: () => !this.stopCtl.signal.aborted, ready: () => this.status.ready, status: () => this.statusDocument(), metrics: () => this.metrics.render() },
        web: createWebRoutes({ ...(o.http.token ? { token: o.http.token } : {}), sources: this.live }),
      });
      o.logger.log("info", "serving / (status page) /healthz /readyz /metrics /status", { url: this.http.url, auth: o.http.token ? "bearer" : "none" });
    }
    if (o.watchFiles) {
      this.watcher = watchManifests({ paths: o.paths, cwd: o.cwd, clock: o.clock, debounceMs: o.debounceMs, onChange: (files) => this.request(`changed ${files.length} file(s)`), onError: (err) => o.logger.log("warn", "file watch error", { error: String(err) }) });
      await this.watcher.ready;
    }
    if (o.git) this.poller = new GitPoller({ source: o.git.source, pollMs: o.git.pollMs, wake: this.wake, clock: o.clock, logger: o.logger, onNewCommit: (sha) => this.request(`git ${sha.slice(0, 12)}`) });
    this.request("startup");
  }

  /** Asks for a reconcile (coalesced with any already queued). */
  request(reason: string): void {
    this.queue.request(reason);
  }

  /** Resolves when no pass is running or queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * The bounded graceful shutdown. At once: nothing new starts (no pass, no step, no schedule
   * round), the HTTP server closes (keep-alive and streaming connections end). Running steps and
   * rounds get `graceMs` (default 30 s) to finish and be recorded; then they are cancelled through
   * their AbortSignal (provider calls aborted, sessions closed) and get a few seconds more to record
   * that. Webhooks in flight get a few seconds, then are abandoned; leadership is released. Resolves
   * `settled: false` when something still had not ended (the caller exits anyway: state is saved
   * after every step and a pending create is adopted by the next run). A second call cancels
   * running work at once and resolves with the same shutdown.
   */
  stop(opts: { graceMs?: number } = {}): Promise<{ settled: boolean }> {
    if (this.stopping) {
      this.abort();
      return this.stopping;
    }
    this.stopping = this.shutdown(opts.graceMs ?? DEFAULT_SHUTDOWN_MS);
    return this.stopping;
  }

  /** Cancels running steps and schedule rounds now (their provider calls are aborted). */
  abort(): void {
    this.abortCtl.abort();
  }

  private async shutdown(graceMs: number): Promise<{ settled: boolean }> {
    const o = this.o;
    const deadline = Date.now() + graceMs;
    this.stopCtl.abort();
    this.queue.close();
    this.wake.stop();
    this.poller?.stop();
    await settlesWithin(this.starting ?? Promise.resolve(), graceMs);
    const httpClosed = this.http?.close() ?? Promise.resolve();
    await settlesWithin(this.watcher?.close() ?? Promise.resolve(), 2_000);
    const work = Promise.all([this.queue.idle(), this.schedules.stop()]);
    let settled = await settlesWithin(work, deadline - Date.now(), this.abortCtl.signal);
    if (!settled) {
      if (!this.abortCtl.signal.aborted) o.logger.log("warn", `shutdown timeout (${graceMs / 1000} s) passed: cancelling running steps`);
      this.abortCtl.abort();
      settled = await settlesWithin(work, CANCEL_GRACE_MS);
      if (!settled) o.logger.log("warn", "cancelled work did not end in time; exiting without it (the next run adopts or repeats it)");
    }
    await o.notifier?.close(this.abortCtl.signal.aborted ? 0 : Math.max(0, Math.min(WEBHOOK_GRACE_MS, deadline - Date.now())));
    await settlesWithin(httpClosed, 2_000);
    if (!(await settlesWithin(this.leadership.release(), 5_000))) o.logger.log("warn", "could not release leadership in time; it expires by itself");
    return { settled };
  }

  /** The `/status` document now (live leadership, change windows and schedules included). */
  statusDocument(): DaemonStatus {
    const now = this.o.clock.now();
    const next = nextWindowOpen(this.o.windows, now);
    this.status.setLive({ leader: { isLeader: this.leadership.isLeader(), describe: this.leadership.describe() }, windowOpen: windowOpen(this.o.windows, now), ...(next !== undefined ? { nextOpen: next } : {}) });
    this.status.setSchedules(this.schedules.statuses());
    const fleet = this.live.fleet;
    return { ...this.status.snapshot(), ...(fleet ? { fleet } : {}) };
  }

  private async runPass(reasons: string[]): Promise<void> {
    const o = this.o;
    if (this.stopCtl.signal.aborted) return;
    if (!(await this.leadership.renew()) && !(await this.leadership.acquire(this.stopCtl.signal))) {
      this.metrics.setLeader(false);
      o.logger.log("info", "not the leader; not reconciling", { leadership: this.leadership.describe() });
      this.armResync();
      return;
    }
    this.metrics.setLeader(true);
    let revision = o.git?.source.revision;
    if (o.git && (revision === undefined || reasons.some((r) => r.startsWith("git ")))) {
      try {
        revision = await o.git.source.checkout();
      } catch (err) {
        o.logger.log(revision ? "warn" : "error", "cannot update the git working folder", { error: err instanceof Error ? err.message : String(err) });
        if (!revision) return this.armResync();
      }
    }
    const pass = await reconcilePass(this.ctx, { reasons, ...(revision ? { revision } : {}), ...(this.lastRevision ? { lastRevision: this.lastRevision } : {}) });
    if (pass.outcome === "reconciled" && pass.apply && pass.revision) this.lastRevision = pass.revision;
    this.status.recordPass(pass, this.health.all());
    await this.live.recordPass(pass, this.health.all()).catch((err: unknown) => o.logger.log("warn", "cannot update the status page", { error: String(err) }));
    this.metrics.recordPass(pass, this.status.snapshot().resources);
    logPass(o.logger, pass);
    const { notes, memo } = notificationsForPass(pass, o.stack, this.memo);
    this.memo = memo;
    for (const n of notes) this.notify(n);
    if (pass.outcome === "reconciled" && o.mode === "apply") await this.schedules.update(pass.desired);
    this.armAfter(pass);
  }

  private armAfter(pass: PassResult): void {
    this.armResync();
    const next = this.health.nextRetryAt();
    if (next !== undefined) this.wake.at("backoff", next, () => this.request("backoff expired"));
    if (pass.outcome === "reconciled" && pass.heldBack === "change-window") {
      const open = nextWindowOpen(this.o.windows, this.o.clock.now());
      if (open !== undefined) this.wake.at("window", open, () => this.request("change window opened"));
    }
  }

  private armResync(): void {
    const o = this.o;
    this.wake.at("resync", o.clock.now() + jittered(o.intervalMs, o.jitter ?? 0.1, o.random ?? Math.random), () => this.request("resync"));
  }

  private notify(n: DaemonNotification): void {
    this.o.notifier?.send(n);
  }

  private onScheduleRun(run: ScheduleRun): void {
    this.metrics.recordSnapshotRun(run.schedule, run.result);
    this.live.changed();
    logScheduleRun(this.o.logger, run);
    if (run.result !== "succeeded") {
      this.notify({
        type: "schedule.failed", stack: this.o.stack, time: new Date(this.o.clock.now()).toISOString(), schedule: run.schedule,
        failures: run.results.filter((r) => r.error).map((r) => ({ target: r.target, error: r.error! })), ...(this.lastRevision ? { revision: this.lastRevision } : {}),
      });
    }
  }
}
