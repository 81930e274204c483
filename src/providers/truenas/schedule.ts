/**
 * SnapshotSchedule on TrueNAS: native periodic snapshot tasks (`pool.snapshottask.*`), one per
 * target dataset. Canonical spec (desired and observed):
 *
 *     { tasks: [{ dataset, recursive, schedule: {minute, hour, dom, month, dow},
 *                 lifetime: {value, unit}, namingSchema, enabled: true }]  (sorted by dataset) }
 *
 * - Targets: `spec.resolvedTargets` (addresses on this provider) → datasets by names.ts
 *   (`VirtualMachine/web-1` → `POOL/vmsync/web_1`, always recursive so every zvol of the VM is
 *   included; `NfsShare/media` → `POOL/vmsync/media`, recursive as `spec.recursive`).
 * - Schedule: the cron of `cronOf()` split into minute/hour/dom/month/dow; cron day-of-week 0
 *   (Sunday) becomes TrueNAS's 7. The window is always the whole day (00:00–23:59).
 * - Lifetime: the longer of `retention.maxAge` and `keepLast` × the schedule's shortest interval
 *   (TrueNAS prunes by age only, so keepLast N keeps N snapshots while the task runs on time),
 *   in the largest exact unit of WEEK, DAY, HOUR (rounded up to whole hours, at least 1 HOUR).
 * - Ownership: tasks have no comment field, so each task's marker is a user property
 *   `vmsync:task-<task id>` on its dataset. externalId is `tasks:<stack>:<address>`: with the
 *   markers it finds every task of the schedule, and it stays stable while tasks come and go.
 */
import { CronExpressionParser } from "cron-parser";
import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import { cronOf } from "../../manifest/resolve-schedules.js";
import type { SnapshotScheduleSpec } from "../../manifest/schema/index.js";
import { durationToMs } from "../../manifest/units.js";
import type { OwnershipMarker } from "../contract.js";
import { targetDataset } from "./names.js";

/** The schedule fields of a task. */
export interface TaskSchedule {
  minute: string;
  hour: string;
  dom: string;
  month: string;
  dow: string;
}

/** One periodic snapshot task in canonical form. */
export interface CanonTask {
  dataset: string;
  recursive: boolean;
  schedule: TaskSchedule;
  lifetime: { value: number; unit: string };
  namingSchema: string;
  enabled: boolean;
}

/** The canonical spec of a native schedule. */
export interface CanonSchedule {
  tasks: CanonTask[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Cron day-of-week (0/7 = Sunday) → TrueNAS (1 = Monday … 7 = Sunday). */
function dowOf(field: string): string {
  return field.split(",").map((part) => {
    if (part === "0") return "7";
    const m = /^0-(\d)$/.exec(part);
    return m ? (m[1] === "0" ? "7" : `1-${m[1]},7`) : part;
  }).join(",");
}

/** The task schedule of a five-field cron expression. */
export function scheduleOfCron(cron: string): TaskSchedule {
  const [minute = "0", hour = "*", dom = "*", month = "*", dow = "*"] = cron.trim().split(/\s+/);
  return { minute, hour, dom, month, dow: dowOf(dow) };
}

/** The shortest interval between runs of a cron expression (sampled over its next runs), ms. */
export function cronIntervalMs(cron: string): number {
  const it = CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date("2024-01-01T00:00:00Z") });
  let prev = it.next().getTime();
  let min = Infinity;
  for (let i = 0; i < 16; i++) {
    const next = it.next().getTime();
    min = Math.min(min, next - prev);
    prev = next;
  }
  return Number.isFinite(min) ? min : DAY;
}

/** A TrueNAS lifetime for a duration in ms (see module comment). */
export function lifetimeOf(ms: number): { value: number; unit: string } {
  if (ms >= WEEK && ms % WEEK === 0) return { value: ms / WEEK, unit: "WEEK" };
  if (ms >= DAY && ms % DAY === 0) return { value: ms / DAY, unit: "DAY" };
  return { value: Math.max(1, Math.ceil(ms / HOUR)), unit: "HOUR" };
}

/** The canonical desired spec of a SnapshotSchedule derived for this TrueNAS provider (pure). */
export function canonicalSchedule(r: DesiredResource, config: DesiredProvider): CanonSchedule {
  const s = r.spec as SnapshotScheduleSpec & { resolvedTargets: string[]; targetInfo?: Record<string, { externalName?: string; dataset?: string }> };
  const pool = config.spec.type === "truenas" ? config.spec.defaults?.pool : undefined;
  const cron = cronOf(s.schedule) ?? "0 0 * * *";
  const keep = s.retention.keepLast !== undefined ? s.retention.keepLast * cronIntervalMs(cron) : 0;
  const age = s.retention.maxAge ? (durationToMs(s.retention.maxAge) ?? 0) : 0;
  const lifetime = lifetimeOf(Math.max(keep, age, HOUR));
  const tasks = new Map<string, CanonTask>();
  for (const address of s.resolvedTargets) {
    const t = pool ? targetDataset(address, pool, s.targetInfo?.[address]) : undefined;
    if (!t) continue;
    const recursive = t.vm || s.recursive === true;
    tasks.set(t.dataset, { dataset: t.dataset, recursive, schedule: scheduleOfCron(cron), lifetime, namingSchema: s.namingSchema ?? "vmsync-%Y%m%d-%H%M", enabled: true });
  }
  return { tasks: [...tasks.values()].sort((a, b) => a.dataset.localeCompare(b.dataset)) };
}

/** The canonical form of a `pool.snapshottask.query` row. */
export function taskOf(row: Record<string, unknown>): CanonTask {
  const sch = (row.schedule ?? {}) as Record<string, unknown>;
  return {
    dataset: String(row.dataset),
    recursive: row.recursive === true,
    schedule: { minute: String(sch.minute ?? "00"), hour: String(sch.hour ?? "*"), dom: String(sch.dom ?? "*"), month: String(sch.month ?? "*"), dow: String(sch.dow ?? "*") },
    lifetime: { value: Number(row.lifetime_value ?? 0), unit: String(row.lifetime_unit ?? "") },
    namingSchema: String(row.naming_schema ?? ""),
    enabled: row.enabled !== false,
  };
}

/** The `pool.snapshottask.create/update` fields of a canonical task. */
export function taskFields(t: CanonTask): Record<string, unknown> {
  return {
    dataset: t.dataset, recursive: t.recursive, exclude: [], lifetime_value: t.lifetime.value, lifetime_unit: t.lifetime.unit,
    naming_schema: t.namingSchema, schedule: { ...t.schedule, begin: "00:00", end: "23:59" }, allow_empty: true, enabled: t.enabled,
  };
}

/** The user property holding the marker of task `id`. */
export function taskMarkerKey(id: unknown): string {
  return `vmsync:task-${String(id)}`;
}

/** The externalId of a schedule's tasks. */
export function scheduleExternalId(m: OwnershipMarker): string {
  return `tasks:${m.stack}:${m.address}`;
}
