import { Type, type Static } from "@sinclair/typebox";
import { Closed, Duration, LabelSelector, NameRef, lifecycleFields, documentSchema } from "./common.js";

/** One target entry: a named resource, or every resource of a kind whose labels match. */
const Target = Closed(
  {
    kind: Type.Union([Type.Literal("VirtualMachine"), Type.Literal("Container"), Type.Literal("NfsShare")], { description: "Kind of the targets." }),
    name: Type.Optional(Type.Union([NameRef], { description: "A resource name (for replicas, NAME-i or NAME for all of them)." })),
    selector: Type.Optional(LabelSelector),
  },
  { description: "Give name or selector.", examples: [{ kind: "VirtualMachine", selector: { matchLabels: { role: "db" } } }] },
);

const Retention = Closed(
  {
    keepLast: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "Keep the newest N snapshots." })),
    maxAge: Type.Optional(Type.Union([Duration], { description: "Delete snapshots older than this.", examples: ["7d"] })),
  },
  { description: "What to keep; snapshots beyond it are pruned. Give at least one.", minProperties: 1 },
);

/** SnapshotSchedule spec. */
export const SnapshotScheduleSpec = Closed({
  targets: Type.Array(Target, { minItems: 1, description: "What to snapshot: VMs (all their disks), containers and NFS shares." }),
  schedule: Type.String({
    description: "hourly, daily, weekly, or a five-field cron expression (UTC).",
    examples: ["daily", "0 3 * * *", "*/15 * * * *"],
  }),
  retention: Retention,
  recursive: Type.Optional(Type.Boolean({ default: false, description: "TrueNAS: include child datasets." })),
  namingSchema: Type.Optional(Type.String({ default: "vmsync-%Y%m%d-%H%M", description: "TrueNAS snapshot naming schema (strftime)." })),
  ...lifecycleFields,
});

/** The SnapshotSchedule manifest. */
export const SnapshotScheduleDocument = documentSchema(
  "SnapshotSchedule",
  SnapshotScheduleSpec,
  "Periodic snapshots of VMs and shares with retention: native TrueNAS periodic snapshot tasks, or taken and pruned by vmsync (Proxmox, Azure).",
);

export type SnapshotScheduleSpec = Static<typeof SnapshotScheduleSpec>;
/** A SnapshotSchedule manifest. */
export type SnapshotScheduleDocument = Static<typeof SnapshotScheduleDocument>;
