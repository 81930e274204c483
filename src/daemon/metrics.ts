import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerProcessMetrics } from "./process-metrics.js";
import type { ConnectOptions } from "../providers/contract.js";
import type { ExecEvent } from "../reconcile/events.js";
import type { ResourceConditions } from "./conditions.js";
import type { PassResult } from "./pass-types.js";

type RequestInfo = Parameters<NonNullable<ConnectOptions["onRequest"]>>[0];

/**
 * The daemon's Prometheus metrics, in a registry of its own (never prom-client's global one, so
 * tests and several daemons in one process do not collide). Names are an API once published.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly reconcileDuration = new Histogram({
    name: "vmsync_reconcile_duration_seconds", help: "Duration of reconcile passes (load, observe, plan and apply)",
    labelNames: ["outcome"], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900], registers: [this.registry],
  });
  private readonly reconciles = new Counter({ name: "vmsync_reconciles_total", help: "Reconcile passes by outcome", labelNames: ["outcome"], registers: [this.registry] });
  private readonly lastSuccess = new Gauge({ name: "vmsync_last_successful_reconcile_timestamp_seconds", help: "When the last reconcile pass succeeded (unix time)", registers: [this.registry] });
  private readonly resources = new Gauge({ name: "vmsync_resources", help: "Resources by Ready status and reason", labelNames: ["status", "reason"], registers: [this.registry] });
  private readonly drift = new Gauge({ name: "vmsync_drift_resources", help: "Resources changed outside vmsync since the last apply", registers: [this.registry] });
  private readonly pending = new Gauge({ name: "vmsync_planned_changes", help: "Steps the last plan would take, by action", labelNames: ["action"], registers: [this.registry] });
  private readonly steps = new Counter({ name: "vmsync_step_results_total", help: "Applied steps by action and result", labelNames: ["action", "result"], registers: [this.registry] });
  private readonly requests = new Counter({ name: "vmsync_provider_requests_total", help: "Provider API requests", labelNames: ["provider", "method", "status"], registers: [this.registry] });
  private readonly requestErrors = new Counter({ name: "vmsync_provider_request_errors_total", help: "Provider API requests that failed", labelNames: ["provider"], registers: [this.registry] });
  private readonly requestDuration = new Histogram({
    name: "vmsync_provider_request_duration_seconds", help: "Provider API request latency", labelNames: ["provider"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  private readonly snapshotRuns = new Counter({ name: "vmsync_snapshot_runs_total", help: "Snapshot schedule runs by schedule and result", labelNames: ["schedule", "result"], registers: [this.registry] });
  private readonly manifestValid = new Gauge({ name: "vmsync_manifests_valid", help: "1 when the manifests loaded without errors at the last pass", registers: [this.registry] });
  private readonly leader = new Gauge({ name: "vmsync_leader", help: "1 while this daemon is the leader of its stack", registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) registerProcessMetrics(this.registry, "vmsync_"); // the names start with process_ or nodejs_ themselves
  }

  /** Records a finished pass and the per-resource conditions it produced. */
  recordPass(pass: PassResult, resources: ResourceConditions[]): void {
    const seconds = (pass.finishedAt - pass.startedAt) / 1000;
    this.reconcileDuration.observe({ outcome: pass.outcome }, seconds);
    this.reconciles.inc({ outcome: pass.outcome });
    this.manifestValid.set(pass.outcome === "invalid" ? 0 : 1);
    if (pass.outcome !== "reconciled") return;
    this.lastSuccess.set(pass.finishedAt / 1000);
    this.drift.set(pass.plan.drift.length);
    for (const a of ["create", "update", "replace", "delete"] as const) this.pending.set({ action: a }, pass.plan.summary[a]);
    this.resources.reset();
    for (const r of resources) {
      const c = r.conditions.find((x) => x.type === "Ready");
      if (c) this.resources.inc({ status: c.status, reason: c.reason });
    }
  }

  /** Counts executor step outcomes. */
  onEvent(e: ExecEvent): void {
    if (e.type === "step.done") this.steps.inc({ action: e.action, result: "succeeded" });
    else if (e.type === "step.failed") this.steps.inc({ action: e.action, result: "failed" });
    else if (e.type === "step.skipped") this.steps.inc({ action: e.action, result: "skipped" });
  }

  /** The `ConnectOptions.onRequest` hook: one call per provider API request. */
  readonly onRequest = (info: RequestInfo): void => {
    this.requests.inc({ provider: info.provider, method: info.method, status: info.status === undefined ? "none" : String(info.status) });
    if (info.error !== undefined || (info.status !== undefined && info.status >= 400)) this.requestErrors.inc({ provider: info.provider });
    this.requestDuration.observe({ provider: info.provider }, info.ms / 1000);
  };

  /** Counts a snapshot schedule run. */
  recordSnapshotRun(schedule: string, result: string): void {
    this.snapshotRuns.inc({ schedule, result });
  }

  /** Sets the leader gauge. */
  setLeader(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
