import { renderDiagnostics } from "../cli/render-diagnostics.js";
import pc from "picocolors";
import { summaryLine } from "../reconcile/render/human.js";
import type { PlanSummary } from "../reconcile/plan-types.js";
import type { FleetReport } from "../status/fleet-schema.js";
import { conditionsOf, type Condition, type ResourceConditions } from "./conditions.js";
import type { HeldResource } from "./health.js";
import type { PassResult, WatchMode } from "./pass-types.js";

/** The last run of one snapshot schedule, as `/status` shows it. */
export interface ScheduleStatus {
  name: string;
  cron: string;
  targets: string[];
  lastRun?: string;
  lastResult?: "succeeded" | "failed" | "partial";
  lastError?: string;
  nextRun?: string;
}

/**
 * The JSON document `/status` serves (`formatVersion` 1; field names are an API). Holds no secret:
 * drift is reported by path only, plan steps by address, action and reason.
 */
export interface DaemonStatus {
  formatVersion: 1;
  stack: string;
  mode: WatchMode;
  startedAt: string;
  /** True after the first successful reconcile (what `/readyz` answers). */
  ready: boolean;
  leader: { isLeader: boolean; describe: string };
  revision?: string;
  source: { paths: string[]; git?: { url: string; branch: string } };
  manifests: { valid: boolean; errors: string[] };
  lastReconcile?: {
    startedAt: string; finishedAt: string; durationMs: number; outcome: PassResult["outcome"]; reasons: string[];
    error?: string; heldBack?: string; lockedBy?: string; applied?: { result: string; historyId: string; succeeded: number; failed: number };
  };
  plan?: { summary: PlanSummary; line: string; steps: Array<{ address: string; action: string; reason: string }>; errors: string[]; notes: string[] };
  drift: Array<{ address: string; type: "changed" | "deleted"; paths: string[] }>;
  changeWindows: { open: boolean; windows: string[]; nextOpen?: string };
  resources: ResourceConditions[];
  schedules: ScheduleStatus[];
  /** The fleet report of the latest observation (`vmsync status --json`'s shape, schemas/status.schema.json). */
  fleet?: FleetReport;
}

/** Keeps the status document up to date from pass results, schedule runs and the change windows. */
export class StatusTracker {
  private doc: DaemonStatus;
  private previous = new Map<string, Condition[]>();

  constructor(init: Pick<DaemonStatus, "stack" | "mode" | "source" | "leader"> & { startedAt: number; windows: string[] }) {
    this.doc = {
      formatVersion: 1, stack: init.stack, mode: init.mode, startedAt: new Date(init.startedAt).toISOString(), ready: false, leader: init.leader, source: init.source,
      manifests: { valid: true, errors: [] }, drift: [], changeWindows: { open: true, windows: init.windows }, resources: [], schedules: [],
    };
  }

  /** The current document (a copy). */
  snapshot(): DaemonStatus {
    return structuredClone(this.doc);
  }

  /** Records a pass. `held` is what the backoff/stall memory holds after it. */
  recordPass(pass: PassResult, held: HeldResource[]): void {
    const d = this.doc;
    if (pass.revision) d.revision = pass.revision;
    d.lastReconcile = {
      startedAt: iso(pass.startedAt), finishedAt: iso(pass.finishedAt), durationMs: pass.finishedAt - pass.startedAt, outcome: pass.outcome, reasons: pass.reasons,
      ...(pass.outcome === "failed" ? { error: pass.error } : {}),
      ...(pass.outcome === "reconciled" && pass.heldBack ? { heldBack: pass.heldBack } : {}),
      ...(pass.outcome === "reconciled" && pass.lockedBy ? { lockedBy: pass.lockedBy } : {}),
      ...(pass.outcome === "reconciled" && pass.apply
        ? { applied: { result: pass.apply.result, historyId: pass.apply.historyId, succeeded: pass.apply.steps.filter((s) => s.result === "succeeded").length, failed: pass.apply.failures.length } }
        : {}),
    };
    if (pass.outcome === "invalid") {
      d.manifests = { valid: false, errors: renderDiagnostics(pass.diagnostics.filter((x) => x.severity === "error"), pc.createColors(false)).trimEnd().split("\n") };
      return;
    }
    d.manifests = { valid: true, errors: [] };
    if (pass.outcome === "failed") return;
    const plan = pass.plan;
    d.plan = {
      summary: plan.summary, line: summaryLine(plan), errors: plan.errors, notes: plan.notes,
      steps: plan.steps.filter((s) => s.action !== "noop").map((s) => ({ address: s.address, action: s.action, reason: s.reason })),
    };
    d.drift = plan.drift.map((x) => ({ address: x.address, type: x.type, paths: x.changes.map((c) => c.path) }));
    d.resources = conditionsOf(pass, held, d.mode, this.previous);
    this.previous = new Map(d.resources.map((r) => [r.address, r.conditions]));
    if (!pass.apply || pass.apply.result === "succeeded" || pass.apply.result === "partial") d.ready = true;
  }

  /** Records leadership and the change-window state (cheap; called before serving). */
  setLive(live: { leader: DaemonStatus["leader"]; windowOpen: boolean; nextOpen?: number }): void {
    this.doc.leader = live.leader;
    this.doc.changeWindows = { ...this.doc.changeWindows, open: live.windowOpen, ...(live.nextOpen !== undefined ? { nextOpen: iso(live.nextOpen) } : {}) };
    if (live.nextOpen === undefined) delete this.doc.changeWindows.nextOpen;
  }

  /** Replaces the schedules' status. */
  setSchedules(list: ScheduleStatus[]): void {
    this.doc.schedules = list;
  }

  /** True after the first successful reconcile. */
  get ready(): boolean {
    return this.doc.ready;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
