import { Type } from "@sinclair/typebox";

/**
 * JSON Schema of a saved plan (`vmsync plan -o`, `plan --json`), written to
 * `schemas/plan.schema.json`. A test validates real plans against it, so it cannot drift from
 * `plan-types.ts`.
 */
const Change = Type.Object(
  {
    path: Type.String({ description: "Field path in the provider's canonical spec, e.g. memory or disks[0].size." }),
    before: Type.Unknown({ description: "Observed value ((sensitive) for secrets)." }),
    after: Type.Unknown({ description: "Desired value ((sensitive) for secrets)." }),
    effect: Type.Union([Type.Literal("in-place"), Type.Literal("restart"), Type.Literal("replace"), Type.Literal("unsupported")], { description: "How the provider can make the change." }),
    note: Type.Optional(Type.String({ description: "Why the effect is what it is." })),
  },
  { additionalProperties: false },
);

const Step = Type.Object(
  {
    address: Type.String({ description: "Kind/name (derived resources: Kind/name@provider)." }),
    kind: Type.String(),
    provider: Type.Optional(Type.String({ description: "Provider name; absent for vmsync's own resources (SnapshotSchedule)." })),
    action: Type.Union(["create", "update", "replace", "delete", "noop"].map((a) => Type.Literal(a)), { description: "What the step does." }),
    reasonCode: Type.String({ description: "Stable code of the reason." }),
    reason: Type.String({ description: "Why, for people." }),
    changes: Type.Array(Change),
    dependsOn: Type.Array(Type.String(), { description: "Addresses this step waits for (deletes: the deletes of its dependents)." }),
    fingerprint: Type.String({ description: "Hash of the observed state the step relies on, or absent; apply refuses a saved plan whose fingerprints changed." }),
    externalId: Type.Optional(Type.String()),
    name: Type.String({ description: "Name of the object at the provider." }),
    desired: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Canonical desired spec (secret references only)." })),
    adopt: Type.Optional(Type.Boolean({ description: "The step records an object created by an interrupted run." })),
    recordOnly: Type.Optional(Type.Boolean({ description: "Nothing changes at the provider; the state record does (protect, dependencies)." })),
    forcedBy: Type.Optional(Type.Array(Type.String(), { description: "Paths that force the replacement or block the step." })),
    blocked: Type.Optional(Type.Boolean({ description: "The step cannot be applied; apply refuses the plan." })),
    restartRequired: Type.Optional(Type.Boolean()),
    protect: Type.Boolean(),
    sensitive: Type.Array(Type.String(), { description: "Paths shown as (sensitive)." }),
    error: Type.Optional(
      Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false, description: "The object could not be read (e.g. a guest that timed out); the step changes nothing." }),
    ),
  },
  { additionalProperties: false },
);

const CapacityLine = Type.Object(
  {
    provider: Type.String(),
    pool: Type.String({ description: "Pool key: node/<node>/memory, node/<node>/cores, storage/<node>/<storage>, storage/<shared storage>, host/memory, pool/<zfs pool>, quota/<location>/<usage name>." }),
    label: Type.String(),
    unit: Type.Union([Type.Literal("bytes"), Type.Literal("count")]),
    total: Type.Number({ description: "What may be allocated (physical × the provider's overcommit ratio; a quota's limit)." }),
    used: Type.Number({ description: "Allocated now." }),
    needed: Type.Number({ description: "What the plan's unblocked steps add (negative: free)." }),
    after: Type.Number({ description: "used + needed." }),
    free: Type.Number({ description: "total − used." }),
    status: Type.Union([Type.Literal("ok"), Type.Literal("warning"), Type.Literal("over")], { description: "over: a step was blocked for it; warning: above 90 % after the plan." }),
    steps: Type.Array(Type.String(), { description: "Addresses of the steps that change it." }),
  },
  { additionalProperties: false },
);

const CostSide = Type.Object(
  {
    monthly: Type.Number({ description: "Sum of the priced lines, per month." }),
    unknown: Type.Integer({ description: "Lines whose price is not in the table (not counted as 0)." }),
    lines: Type.Array(
      Type.Object(
        {
          component: Type.String(),
          description: Type.String(),
          meter: Type.String({ description: "Price-table key, e.g. vm/eastus2/Standard_D2s_v5/linux." }),
          monthly: Type.Union([Type.Number(), Type.Null()], { description: "null: unknown (no price in the table)." }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const PlanCost = Type.Object(
  {
    currency: Type.String(),
    priceDate: Type.String({ description: "Date of the price table." }),
    priceTable: Type.Union([Type.Literal("shipped"), Type.Literal("cache")]),
    resources: Type.Array(
      Type.Object(
        { address: Type.String(), provider: Type.Optional(Type.String()), before: Type.Optional(CostSide), after: Type.Optional(CostSide), delta: Type.Number() },
        { additionalProperties: false },
      ),
    ),
    monthlyBefore: Type.Number(),
    monthlyAfter: Type.Number(),
    delta: Type.Number(),
    unknown: Type.Integer({ description: "How many prices (a resource's meter, before or after the plan) are not in the table." }),
  },
  { additionalProperties: false, description: "Monthly cost estimate from retail list prices (Azure)." },
);

/** The saved plan document. */
export const PlanSchema = Type.Object(
  {
    formatVersion: Type.Literal(1),
    stack: Type.String(),
    steps: Type.Array(Step),
    summary: Type.Object({ create: Type.Integer(), update: Type.Integer(), replace: Type.Integer(), delete: Type.Integer() }, { additionalProperties: false, description: "Counts of the summary line." }),
    drift: Type.Array(
      Type.Object(
        {
          address: Type.String(),
          type: Type.Union([Type.Literal("changed"), Type.Literal("deleted")]),
          changes: Type.Array(Type.Object({ path: Type.String(), applied: Type.Unknown(), observed: Type.Unknown() }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
      { description: "Changes made outside vmsync since the last apply." },
    ),
    unfinished: Type.Optional(
      Type.Array(
        Type.Object(
          {
            address: Type.String(),
            failed: Type.Object(
              { action: Type.Union(["create", "update", "replace", "delete", "noop"].map((a) => Type.Literal(a))), at: Type.String({ format: "date-time" }), runId: Type.String(), error: Type.String() },
              { additionalProperties: false, description: "The step that failed." },
            ),
            changes: Type.Array(Type.Object({ path: Type.String(), applied: Type.Unknown(), observed: Type.Unknown(), note: Type.String() }, { additionalProperties: false })),
          },
          { additionalProperties: false },
        ),
        { description: "Resources a failed apply left half-done: what the failed step changed (or was changing); not drift." },
      ),
    ),
    errors: Type.Array(Type.String(), { description: "Why the plan cannot be applied (empty when it can)." }),
    notes: Type.Array(Type.String()),
    options: Type.Object(
      {
        targets: Type.Array(Type.String()),
        excludes: Type.Array(Type.String()),
        refreshOnly: Type.Boolean(),
        allowMassDelete: Type.Boolean(),
        destroy: Type.Optional(Type.Boolean({ description: "A destroy plan (vmsync destroy, plan --destroy): everything the stack manages is deleted but protected resources." })),
      },
      { additionalProperties: false },
    ),
    capacity: Type.Optional(Type.Array(CapacityLine, { description: "Capacity pools the plan changes." })),
    cost: Type.Optional(PlanCost),
    createdAt: Type.Optional(Type.String({ format: "date-time" })),
    manifests: Type.Optional(Type.Array(Type.String())),
    stateSource: Type.Optional(
      Type.Object(
        {
          backend: Type.Union([Type.Literal("file"), Type.Literal("postgres")]),
          stack: Type.String(),
          explicitStack: Type.Boolean({ description: "The stack was named with --stack or VMSYNC_STACK (the file backend then uses .vmsync/stacks/<name>/)." }),
          location: Type.String({ description: "file: the state file relative to the manifest folder; postgres: the URL without password, stack and schema." }),
        },
        { additionalProperties: false, description: "The state the plan was made from; `vmsync apply FILE` refuses any other." },
      ),
    ),
  },
  { additionalProperties: false, title: "vmsync plan", description: "A plan made by `vmsync plan`; `vmsync apply FILE` applies exactly it." },
);
