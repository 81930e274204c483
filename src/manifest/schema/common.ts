import { Type, type Static, type TSchema, type ObjectOptions, type TProperties } from "@sinclair/typebox";

/**
 * Building blocks shared by every manifest kind. These TypeBox values are the single source of both
 * the JSON Schemas in `schemas/` (emitted by `emit.ts`) and the TypeScript types (`Static<…>`), so the
 * two cannot drift.
 */

/** A closed object: unknown fields are errors (with a did-you-mean), as users expect from a schema. */
export function Closed<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * Schema keyword that marks a secret field. The validator uses it to turn an inline secret into a
 * clear diagnostic, and plans use it to show the value as (sensitive). Editors ignore `x-` keywords.
 */
export const SECRET_KEYWORD = "x-vmsync-secret";

/** A reference to a secret: read from an environment variable or a file inside the manifest tree. */
export const SecretRef = Type.Union(
  [
    Closed({ env: Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "Name of the environment variable that holds the secret." }) }),
    Closed({ file: Type.String({ minLength: 1, description: "Path of a file holding the secret, relative to the manifest; it must stay inside the manifest tree." }) }),
  ],
  {
    [SECRET_KEYWORD]: true,
    description:
      "A secret is never written in a manifest. Reference it with {env: NAME} or {file: path}; plans and logs show it as (sensitive).",
    examples: [{ env: "PVE_TOKEN_SECRET" }, { file: "secrets/pve-token" }],
  },
);
/** A secret reference as it appears in a manifest. */
export type SecretRef = Static<typeof SecretRef>;

/** A non-secret setting that may be given literally or read from the environment (endpoints, CA files, ids). */
export const StringOrEnv = Type.Union(
  [Type.String({ minLength: 1 }), Closed({ env: Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "Name of the environment variable." }) })],
  { description: "A literal value, or {env: NAME} to read it from an environment variable." },
);
/** A non-secret setting given literally or by environment variable. */
export type StringOrEnv = Static<typeof StringOrEnv>;

/** A size with a binary unit: `512MiB`, `4GiB`, `1TiB` (`M`, `G`, `T` mean the same, as in Proxmox). */
export const Size = Type.String({
  pattern: "^[0-9]+(\\.[0-9]+)?\\s*([KMGT]i?B?)$",
  description: "A size with a unit: KiB, MiB, GiB or TiB (K, M, G, T are read as the same binary units).",
  examples: ["512MiB", "4GiB", "32G", "1TiB"],
});

/** A duration: `30s`, `5m`, `2h`, `7d`, `1w`. */
export const Duration = Type.String({
  pattern: "^[0-9]+(ms|s|m|h|d|w)$",
  description: "A duration with a unit: ms, s, m, h, d or w.",
  examples: ["30s", "5m", "12h", "7d"],
});

/** The name of another manifest (a DNS-style label: lower-case letters, digits and hyphens). */
export const NameRef = Type.String({
  pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
  maxLength: 63,
  description: "The metadata.name of another manifest.",
});

/** A Kubernetes-style label selector: every label given must match. */
export const LabelSelector = Closed(
  {
    matchLabels: Type.Record(Type.String(), Type.String(), {
      description: "Labels that must all be present with these values.",
      examples: [{ role: "web" }],
    }),
  },
  { description: "Selects manifests by their metadata.labels." },
);

/** `metadata` of every manifest. */
export const Metadata = Closed(
  {
    name: Type.String({
      pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
      maxLength: 63,
      description:
        "Unique name within its kind: lower-case letters, digits and hyphens (a DNS label). The address of the resource is Kind/name.",
      examples: ["web", "nas-media"],
    }),
    labels: Type.Optional(
      Type.Record(Type.String({ pattern: "^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$" }), Type.String({ maxLength: 63 }), {
        description: "Free-form labels used by selectors (SnapshotSchedule targets, share mounts).",
        examples: [{ role: "web", env: "prod" }],
      }),
    ),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "Free-form notes; not used by vmsync." })),
  },
  { description: "Identity of the manifest." },
);

/** Fields every resource kind accepts in its spec: how vmsync may change it. */
export const lifecycleFields = {
  protect: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        "Never delete or replace this resource. Remembered in state: removing the manifest does not lift it; set protect: false and apply (or `vmsync state unprotect`) first.",
    }),
  ),
  ignoreChanges: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      description: "Field paths (dot notation, e.g. spec.memory or spec.tags) whose differences never show as changes.",
      examples: [["spec.tags", "spec.cloudInit"]],
    }),
  ),
  updatePolicy: Type.Optional(
    Type.Union([Type.Literal("in-place-only"), Type.Literal("replace-allowed")], {
      default: "in-place-only",
      description:
        "in-place-only (default): a change to a field that cannot be updated in place is blocked and the plan names it. replace-allowed: such a change is planned as a replace (delete, then create).",
    }),
  ),
  dependsOn: Type.Optional(
    Type.Array(Type.String({ pattern: "^(VmTemplate|VirtualMachine|Container|NfsShare|SnapshotSchedule)/[a-z0-9]([a-z0-9-]*[a-z0-9])?$" }), {
      description: "Addresses (Kind/name) that must be applied before this resource, beyond the ones vmsync infers (template, mounted shares, schedule targets).",
      examples: [["NfsShare/media"]],
    }),
  ),
  suspend: Type.Optional(
    Type.Boolean({ default: false, description: "Leave this resource alone: no changes are planned for it (drift is still reported)." }),
  ),
};

/** Wraps a kind's spec schema into the full document schema (apiVersion, kind, metadata, spec). */
export function documentSchema<K extends string, S extends TSchema>(kind: K, spec: S, description: string) {
  return Closed(
    {
      apiVersion: Type.Literal("vmsync.io/v1", { description: "Always vmsync.io/v1." }),
      kind: Type.Literal(kind),
      metadata: Metadata,
      spec,
    },
    { title: kind, description },
  );
}
