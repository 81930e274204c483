import { createHash } from "node:crypto";
import type { ResourceKind } from "../manifest/model.js";
import { durationToMs } from "../manifest/units.js";
import type { ProviderSession } from "../providers/contract.js";
import type { HistoryEntry, ResourceRecord } from "../state/contract.js";

/** Retention of a schedule: keep the newest `keepLast`, and nothing older than `maxAge`. */
export interface Retention {
  keepLast?: number;
  maxAge?: string;
}

/** A snapshot as listed by a provider. */
export interface SnapshotInfo {
  name: string;
  createdAt: string;
}

/**
 * The part of a snapshot name that identifies its schedule: the name itself when short, else a
 * prefix plus a hash of the whole name — so two schedules never share it and names stay within
 * Proxmox's 40 characters (`^[a-z][a-z0-9_-]+$`).
 */
function scheduleSlug(schedule: string): string {
  if (schedule.length <= 20) return schedule;
  return `${schedule.slice(0, 12)}-${createHash("sha256").update(schedule).digest("hex").slice(0, 7)}`;
}

/** The name of a schedule's snapshot taken at `now` (minute precision, valid on Proxmox and Azure). */
export function snapshotName(schedule: string, now: Date): string {
  const t = now.toISOString().replace(/[-:T]/g, "").slice(0, 12);
  return `vmsync-${scheduleSlug(schedule)}-${t}`;
}

/** True for exactly the names `snapshotName(schedule, …)` produces: other schedules' and people's snapshots never match. */
export function isScheduleSnapshot(name: string, schedule: string): boolean {
  const prefix = `vmsync-${scheduleSlug(schedule)}-`;
  return name.startsWith(prefix) && /^\d{12}$/.test(name.slice(prefix.length));
}

/**
 * Which of a schedule's snapshots to delete: those beyond the newest `keepLast`, and those older
 * than `maxAge`. Snapshots without the schedule's prefix are never selected. Pure.
 */
export function prunable(snapshots: SnapshotInfo[], schedule: string, retention: Retention, now: Date): SnapshotInfo[] {
  const own = snapshots.filter((s) => isScheduleSnapshot(s.name, schedule)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const maxAgeMs = retention.maxAge ? durationToMs(retention.maxAge) : undefined;
  return own.filter((s, i) => (retention.keepLast !== undefined && i >= retention.keepLast) || (maxAgeMs !== undefined && now.getTime() - Date.parse(s.createdAt) > maxAgeMs));
}

/** Outcome of one snapshot round for one target. */
export interface SnapshotResult {
  target: string;
  created?: string;
  pruned: string[];
  error?: string;
}

/**
 * One round of a schedule: for each target, take a snapshot, then prune beyond retention. A
 * failure on one target does not stop the others. Targets without a session that supports
 * snapshots are reported, not skipped silently.
 */
export async function runSnapshotRound(input: {
  schedule: string;
  retention: Retention;
  targets: ResourceRecord[];
  sessions: Map<string, ProviderSession>;
  now: Date;
  signal: AbortSignal;
}): Promise<SnapshotResult[]> {
  // the deadline is real time (providers check it against the real clock); `now` only names and prunes
  const ctx = { signal: input.signal, deadline: Date.now() + 30 * 60_000 };
  return Promise.all(
    input.targets.map(async (t): Promise<SnapshotResult> => {
      const snaps = input.sessions.get(t.provider)?.snapshots;
      if (!snaps) return { target: t.address, pruned: [], error: `provider "${t.provider}" cannot take snapshots of ${t.kind}` };
      const target = { kind: t.kind as ResourceKind, externalId: t.externalId };
      try {
        const name = snapshotName(input.schedule, input.now);
        const existing = await snaps.list(target);
        if (!existing.some((s) => s.name === name)) await snaps.create(target, name, ctx);
        const after = await snaps.list(target);
        const doomed = prunable(after, input.schedule, input.retention, input.now).filter((s) => s.name !== name);
        for (const s of doomed) await snaps.delete(target, s.name, ctx);
        return { target: t.address, created: name, pruned: doomed.map((s) => s.name) };
      } catch (err) {
        return { target: t.address, pruned: [], error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/**
 * The history entry of one snapshot round, as both `vmsync snapshot run` and the daemon record it:
 * a snapshot taken per target counts as a create, each pruned one as a delete.
 */
export function snapshotHistoryEntry(input: {
  id: string;
  schedule: string;
  results: SnapshotResult[];
  user: string;
  host: string;
  startedAt: string;
  finishedAt: string;
  revision?: string;
}): HistoryEntry & { result: "succeeded" | "failed" | "partial" } {
  const failed = input.results.filter((r) => r.error).length;
  return {
    id: input.id, command: `snapshot run ${input.schedule}`, user: input.user, host: input.host, startedAt: input.startedAt, finishedAt: input.finishedAt,
    ...(input.revision ? { revision: input.revision } : {}),
    result: failed === 0 ? "succeeded" : failed === input.results.length ? "failed" : "partial",
    summary: { create: input.results.length - failed, update: 0, replace: 0, delete: input.results.reduce((n, r) => n + r.pruned.length, 0) },
    steps: input.results.map((r) => ({ address: r.target, action: "create" as const, result: r.error ? ("failed" as const) : ("succeeded" as const), ...(r.error ? { error: r.error } : {}) })),
  };
}

/** Who a listed snapshot belongs to, as `vmsync snapshot list` shows it. */
export type SnapshotOrigin =
  | { origin: "schedule"; schedule: string }
  | { origin: "ad-hoc" }
  | { origin: "other-stack"; stack: string }
  | { origin: "outside" };

/**
 * Classifies a snapshot (pure): one of this stack's schedules (its marker and that schedule's name
 * pattern — the only ones schedules ever prune), taken on request by this stack (`snapshot
 * create`: pruned only by people), another stack's, or not vmsync's at all.
 */
export function snapshotOrigin(s: { name: string; stack?: string }, stack: string, schedules: string[]): SnapshotOrigin {
  if (s.stack !== undefined && s.stack !== stack) return { origin: "other-stack", stack: s.stack };
  const schedule = schedules.find((x) => isScheduleSnapshot(s.name, x));
  if (schedule !== undefined && s.stack === stack) return { origin: "schedule", schedule };
  return s.stack === stack ? { origin: "ad-hoc" } : { origin: "outside" };
}

/**
 * Why `name` cannot be an ad hoc snapshot's name, or undefined when it can: letters, digits, `-`
 * and `_`, starting with a letter, 2–40 characters (what Proxmox, ZFS and Azure all accept), and
 * not shaped like a schedule's snapshot (`vmsync-…-YYYYMMDDHHMM`), which a schedule could prune.
 */
export function adHocNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_-]{1,39}$/.test(name)) return `"${name}" is not a valid snapshot name: use 2–40 letters, digits, - or _, starting with a letter`;
  if (/^vmsync-.+-\d{12}$/.test(name)) return `"${name}" has the shape of a schedule's snapshot name (vmsync-SCHEDULE-YYYYMMDDHHMM), which a schedule could prune; choose another name`;
  return undefined;
}
