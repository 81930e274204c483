import { Type, type Static } from "@sinclair/typebox";

/**
 * The fleet report of `vmsync status --json` and of the web status page (`formatVersion` 1; the
 * field names are an API once published), written to `schemas/status.schema.json`. The TypeScript
 * types below are derived from it, so the schema cannot drift from the code. It never holds a
 * secret: sync details are field paths, never values.
 */
export const SYNC_STATES = ["in-sync", "drifted", "pending", "not-created", "deleted-outside", "failed", "blocked", "not-in-manifests", "suspended", "unknown"] as const;

const SyncState = Type.Union(SYNC_STATES.map((s) => Type.Literal(s)), {
  description:
    "in-sync: matches the manifests; drifted: changed outside vmsync since the last apply; pending: the manifests changed and apply has not run; " +
    "not-created: in the manifests, not at the provider; deleted-outside: applied, then deleted outside vmsync; failed: the last apply of it failed; " +
    "blocked: the plan cannot change it (immutable field, protected, not owned); not-in-manifests: managed but no longer in the manifests (apply deletes it unless protected); " +
    "suspended: spec.suspend; unknown: its provider could not be observed.",
});

const Sync = Type.Object(
  {
    state: SyncState,
    fields: Type.Array(Type.String(), { description: "Field paths that differ (drifted, pending) or block the step (blocked)." }),
    detail: Type.Optional(Type.String({ description: "Why, for people: the plan's reason, the failed step's error or the provider's error." })),
  },
  { additionalProperties: false },
);

const LastApplied = Type.Object(
  {
    at: Type.String({ description: "ISO-8601 time of the last successful step on it (state)." }),
    by: Type.Optional(Type.String({ description: "user@host of the run that made that step (history), when history still has it." })),
    command: Type.Optional(Type.String({ description: "The command of that run, e.g. apply or watch --mode apply." })),
  },
  { additionalProperties: false },
);

const ScheduleRuns = Type.Object(
  {
    cron: Type.String({ description: "Five-field cron expression (UTC) the schedule runs on." }),
    native: Type.Boolean({ description: "True when the provider runs it (TrueNAS periodic snapshot tasks); false when vmsync does (watch daemon, vmsync snapshot run)." }),
    targets: Type.Array(Type.String(), { description: "Addresses it snapshots." }),
    lastRun: Type.Optional(Type.String({ description: "ISO-8601 start of the last round vmsync recorded (history)." })),
    lastResult: Type.Optional(Type.Union([Type.Literal("succeeded"), Type.Literal("failed"), Type.Literal("partial"), Type.Literal("cancelled")], { description: "Outcome of that round." })),
    nextRun: Type.Optional(Type.String({ description: "ISO-8601 time of the next slot of the cron expression." })),
  },
  { additionalProperties: false },
);

const Row = Type.Object(
  {
    address: Type.String({ description: "Kind/name (derived resources: Kind/name@provider)." }),
    kind: Type.String({ description: "VirtualMachine, VmTemplate, NfsShare or SnapshotSchedule." }),
    name: Type.String({ description: "Name of the object at the provider." }),
    provider: Type.Optional(Type.String({ description: "Provider name; absent for vmsync's own schedules." })),
    externalId: Type.Optional(Type.String({ description: "The provider's id of the object, when it exists." })),
    placement: Type.Optional(Type.String({ description: "Where it is: Proxmox node, TrueNAS pool, Azure location." })),
    power: Type.Optional(Type.String({ description: "Power state the provider reports now (running, stopped, deallocated, paused, unknown)." })),
    addresses: Type.Array(Type.String(), { description: "IP addresses the provider knows (guest agent, NIC), IPv4 first." }),
    protect: Type.Boolean({ description: "Protected: never deleted or replaced, never rolled back without --force." }),
    sync: Sync,
    lastApplied: Type.Optional(LastApplied),
    schedule: Type.Optional(ScheduleRuns),
  },
  { additionalProperties: false },
);

const ProviderHealth = Type.Object(
  {
    name: Type.String({ description: "Provider manifest name." }),
    type: Type.Optional(Type.String({ description: "proxmox, truenas or azure." })),
    reachable: Type.Boolean({ description: "False when it could not be connected to or observed; its resources are then unknown." }),
    error: Type.Optional(Type.String({ description: "Why it could not be observed." })),
  },
  { additionalProperties: false },
);

const Section = Type.Object(
  {
    type: Type.String({ description: "What the section holds (e.g. capacity): its own data may follow; a view with a renderer for the type uses it." }),
    title: Type.String({ description: "Heading shown above it." }),
    columns: Type.Optional(Type.Array(Type.String(), { description: "Headers of the generic table every view can show (with rows)." })),
    rows: Type.Optional(Type.Array(Type.Array(Type.String()), { description: "Cells of the generic table, one array per row, as many as columns." })),
    notes: Type.Optional(Type.Array(Type.String(), { description: "Lines shown below the table (warnings, sources)." })),
  },
  { additionalProperties: true, description: "A block shown below the fleet table. Views render `columns`/`rows`/`notes` generically unless they have a renderer for `type`." },
);

/** JSON Schema of the fleet report. */
export const FleetReportSchema = Type.Object(
  {
    formatVersion: Type.Literal(1, { description: "Version of this format; bumped on incompatible changes." }),
    stack: Type.String({ description: "Stack name (ownership markers)." }),
    generatedAt: Type.String({ description: "ISO-8601 time the report was made." }),
    summary: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: "Number of resources per sync state, plus total." }),
    resources: Type.Array(Row, { description: "Every managed resource (in the manifests or in state), by address." }),
    providers: Type.Array(ProviderHealth, { description: "Each provider in use and whether it could be observed." }),
    sections: Type.Array(Section, { description: "Blocks below the table (e.g. provider capacity)." }),
  },
  { additionalProperties: false, title: "vmsync fleet status", description: "What `vmsync status --json` prints and the web status page shows." },
);

/** A resource's sync state (see SYNC_STATES). */
export type SyncState = (typeof SYNC_STATES)[number];
/** One row of the fleet table. */
export type FleetRow = Static<typeof Row>;
/** A section below the table; `type` selects its renderer. */
export type FleetSection = Static<typeof Section>;
/** The whole report. */
export type FleetReport = Static<typeof FleetReportSchema>;
/** Reachability of one provider. */
export type ProviderHealth = Static<typeof ProviderHealth>;
