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

const CostLine = Type.Object(
  {
    component: Type.String({ description: "What is billed: compute, os-disk, public-ip, file-share, snapshots." }),
    description: Type.String({ description: "For people, e.g. `Standard_D2s_v5 (linux) in eastus2, 730 h`." }),
    meter: Type.String({ description: "Key of the price table (`vm/eastus2/Standard_D2s_v5/linux`)." }),
    monthly: Type.Union([Type.Number(), Type.Null()], { description: "Monthly price of the line; null when the table has no price for its meter (unknown, never 0)." }),
  },
  { additionalProperties: false },
);

const RowCost = Type.Object(
  {
    currency: Type.String({ description: "ISO 4217 currency of the price table (USD)." }),
    monthly: Type.Union([Type.Number(), Type.Null()], { description: "Sum of the priced lines per month (730 h) as the resource is now; null when nothing of it could be priced (every line unknown, or its provider could not be observed)." }),
    unknown: Type.Integer({ minimum: 0, description: "Lines whose price is not in the table: when above 0 the cost is `monthly` + unknown." }),
    lines: Type.Array(CostLine, { description: "What it is billed for now (a deallocated VM: its disks only, no compute)." }),
  },
  { additionalProperties: false, description: "Monthly cost estimate of a billed resource (Azure) as it is now; absent for resources that cost nothing (not on a billed provider, or not created)." },
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
    cost: Type.Optional(RowCost),
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

const CapacityPool = Type.Object(
  {
    key: Type.String({ description: "The provider's key of the pool (`node/pve1/memory`, `storage/local-lvm`, `pool/tank`, `quota/westeurope/cores`)." }),
    label: Type.String({ description: "For people: `node pve1 memory`, `pool tank`, `Total Regional vCPUs in westeurope`." }),
    unit: Type.Union([Type.Literal("bytes"), Type.Literal("count")], { description: "bytes (memory, space) or count (vCPUs)." }),
    used: Type.Number({ description: "Allocated now: memory and vCPUs of running guests, space used, quota used." }),
    total: Type.Number({ description: "What may be allocated: physical size × the provider's overcommit ratio, a storage's size, a quota's limit." }),
    free: Type.Number({ description: "total − used (negative when overcommitted beyond the ratio)." }),
    physical: Type.Optional(Type.Number({ description: "Physical size when an overcommit ratio applies (memory bytes, CPU threads)." })),
    status: Type.Union([Type.Literal("ok"), Type.Literal("warning"), Type.Literal("over")], { description: "warning above 90 % used, over above 100 %." }),
  },
  { additionalProperties: false },
);

const Section = Type.Object(
  {
    type: Type.String({ description: "What the section holds (e.g. capacity): its own data may follow; a view with a renderer for the type uses it." }),
    title: Type.String({ description: "Heading shown above it." }),
    provider: Type.Optional(Type.String({ description: "The provider it is about (capacity sections)." })),
    pools: Type.Optional(Type.Array(CapacityPool, { description: "Capacity sections: every pool of the provider as read with the observation (Azure VM families nothing uses are left out and counted in notes)." })),
    columns: Type.Optional(Type.Array(Type.String(), { description: "Headers of the generic table every view can show (with rows)." })),
    rows: Type.Optional(Type.Array(Type.Array(Type.String()), { description: "Cells of the generic table, one array per row, as many as columns." })),
    notes: Type.Optional(Type.Array(Type.String(), { description: "Lines shown below the table (warnings, sources)." })),
  },
  { additionalProperties: true, description: "A block shown below the fleet table. Views render `columns`/`rows`/`notes` generically unless they have a renderer for `type`." },
);

const FleetCost = Type.Object(
  {
    currency: Type.String({ description: "ISO 4217 currency of the price table." }),
    priceDate: Type.String({ description: "Date (YYYY-MM-DD) of the price table." }),
    priceTable: Type.Union([Type.Literal("shipped"), Type.Literal("cache")], { description: "The table shipped with vmsync, or the one `vmsync prices update` cached." }),
    monthly: Type.Union([Type.Number(), Type.Null()], { description: "Sum of the resources' priced monthly costs now; null when some resource is billed and none could be priced." }),
    unknown: Type.Integer({ minimum: 0, description: "Resources whose cost is wholly or partly unknown (not counted in monthly)." }),
  },
  { additionalProperties: false, description: "The fleet's monthly cost now (retail pay-as-you-go list prices); present when a provider in use bills (Azure)." },
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
    sections: Type.Array(Section, { description: "Blocks below the table: one `capacity` section per provider that reports capacity, then others." }),
    cost: Type.Optional(FleetCost),
  },
  { additionalProperties: false, title: "vmsync fleet status", description: "What `vmsync status --json` prints and the web status page shows." },
);

/** A resource's sync state (see SYNC_STATES). */
export type SyncState = (typeof SYNC_STATES)[number];
/** One row of the fleet table. */
export type FleetRow = Static<typeof Row>;
/** A section below the table; `type` selects its renderer. */
export type FleetSection = Static<typeof Section>;
/** A billed resource's monthly cost now. */
export type RowCost = Static<typeof RowCost>;
/** One capacity pool of a capacity section. */
export type FleetPool = Static<typeof CapacityPool>;
/** The fleet's monthly cost now. */
export type FleetCost = Static<typeof FleetCost>;
/** The whole report. */
export type FleetReport = Static<typeof FleetReportSchema>;
/** Reachability of one provider. */
export type ProviderHealth = Static<typeof ProviderHealth>;
