import type { FleetReport, FleetRow, SyncState } from "./fleet-schema.js";
import { costCell } from "./cost-text.js";
import { relativeTime } from "./time-text.js";

/** How a cell reads: views map it to a colour (terminal) or a CSS class (web page). */
export type Tone = "ok" | "warn" | "bad" | "info" | "dim";

/** One cell: plain text (no escapes) and an optional tone. */
export interface Cell {
  text: string;
  tone?: Tone;
}

/**
 * A column of the fleet table, shared by the terminal table and the web page: its header, how a
 * row becomes a cell, and whether the column is shown for this report (e.g. only when some row has
 * a value). A new column (e.g. a monthly cost) is one more entry in `STATUS_COLUMNS`.
 */
export interface StatusColumn {
  id: string;
  header: string;
  cell(row: FleetRow, now: Date): Cell;
  visible?(report: FleetReport): boolean;
}

const SYNC_TEXT: Record<SyncState, [string, Tone]> = {
  "in-sync": ["in sync", "ok"], drifted: ["drifted", "warn"], pending: ["pending", "info"], "not-created": ["not created", "info"],
  "deleted-outside": ["deleted outside vmsync", "bad"], failed: ["failed", "bad"], blocked: ["blocked", "bad"],
  "not-in-manifests": ["not in manifests", "warn"], suspended: ["suspended", "dim"], unknown: ["unknown", "dim"],
};

/** The sync cell: the state, and for drift, pending changes and blocks the fields (at most three, then a count). */
export function syncCell(row: FleetRow): Cell {
  const [text, tone] = SYNC_TEXT[row.sync.state];
  const f = row.sync.fields;
  const fields = f.length > 3 ? `${f.slice(0, 3).join(", ")} +${f.length - 3}` : f.join(", ");
  return { text: fields ? `${text}: ${fields}` : text, tone };
}

const POWER_TONE: Record<string, Tone> = { running: "ok", stopped: "dim", deallocated: "dim", paused: "warn", unknown: "warn" };

function runsText(s: NonNullable<FleetRow["schedule"]>, now: Date): string {
  const last = s.native ? "native" : s.lastRun ? `last ${relativeTime(s.lastRun, now)} (${s.lastResult ?? "?"})` : "never run";
  return s.nextRun ? `${last}, next ${relativeTime(s.nextRun, now)}` : last;
}

/** The columns of the fleet table, in order. */
export const STATUS_COLUMNS: StatusColumn[] = [
  { id: "resource", header: "RESOURCE", cell: (r) => ({ text: r.protect ? `${r.address} (protected)` : r.address }) },
  { id: "provider", header: "PROVIDER", cell: (r) => ({ text: r.provider ?? "vmsync", ...(r.provider ? {} : { tone: "dim" as const }) }) },
  { id: "where", header: "WHERE", cell: (r) => ({ text: r.placement ?? "-", ...(r.placement ? {} : { tone: "dim" as const }) }) },
  { id: "power", header: "POWER", cell: (r) => (r.power ? { text: r.power, tone: POWER_TONE[r.power] ?? "dim" } : { text: "-", tone: "dim" }) },
  { id: "addresses", header: "ADDRESSES", cell: (r) => (r.addresses.length ? { text: r.addresses.join(" ") } : { text: "-", tone: "dim" }) },
  { id: "sync", header: "SYNC", cell: (r) => syncCell(r) },
  { id: "cost", header: "COST/MONTH", visible: (rep) => rep.cost !== undefined, cell: (r) => costCell(r) },
  {
    id: "applied", header: "LAST APPLIED",
    cell: (r, now) => (r.lastApplied ? { text: `${relativeTime(r.lastApplied.at, now)}${r.lastApplied.by ? ` by ${r.lastApplied.by}` : ""}` } : { text: "never", tone: "dim" }),
  },
  {
    id: "runs", header: "SCHEDULE RUNS", visible: (rep) => rep.resources.some((r) => r.schedule),
    cell: (r, now) => (r.schedule ? { text: runsText(r.schedule, now), ...(r.schedule.lastResult && r.schedule.lastResult !== "succeeded" ? { tone: "bad" as const } : {}) } : { text: "" }),
  },
];

/** The columns shown for `report`. */
export function visibleColumns(report: FleetReport): StatusColumn[] {
  return STATUS_COLUMNS.filter((c) => !c.visible || c.visible(report));
}

/** The summary line: `9 resources: 7 in sync, 1 drifted, 1 pending.` (states with a count only). */
export function summaryText(report: FleetReport): string {
  const parts = (Object.keys(SYNC_TEXT) as SyncState[]).filter((s) => (report.summary[s] ?? 0) > 0).map((s) => `${report.summary[s]} ${SYNC_TEXT[s][0]}`);
  const n = report.summary.total ?? report.resources.length;
  return `${n} resource${n === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}

/** Rows that need a word of explanation below the table (failed, blocked, unknown, deleted). */
export function problemLines(report: FleetReport): string[] {
  return report.resources
    .filter((r) => ["failed", "blocked", "unknown", "deleted-outside"].includes(r.sync.state) && r.sync.detail)
    .map((r) => `${r.address}: ${r.sync.detail}`);
}
