import { kindNames, kindSchemas, schemaFileName, type KindName } from "./index.js";

/** Base of the `$id`s of the emitted schemas. */
export const SCHEMA_BASE = "https://vmsync.io/schemas/v1/";
const DRAFT = "https://json-schema.org/draft/2020-12/schema";

/** A schema value as plain JSON (TypeBox's symbol keys dropped). */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** The JSON Schema document of one kind, as written to `schemas/`. */
export function kindJsonSchema(kind: KindName): Record<string, unknown> {
  return { $schema: DRAFT, $id: SCHEMA_BASE + schemaFileName(kind), ...plain(kindSchemas[kind]) };
}

/**
 * The schema for a file that may hold any kind (`vmsync.schema.json`): it picks the kind's schema
 * with if/then on `kind`, so an editor completes and checks mixed multi-document files.
 */
export function anyKindJsonSchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: SCHEMA_BASE + "vmsync.schema.json",
    title: "vmsync manifest",
    description: "Any vmsync manifest; the kind field selects the schema.",
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { const: "vmsync.io/v1" },
      kind: { enum: kindNames },
    },
    allOf: kindNames.map((kind) => ({
      if: { properties: { kind: { const: kind } }, required: ["kind"] },
      then: plain(kindSchemas[kind]),
    })),
  };
}

/** Every schema file vmsync ships, by file name, serialised as it is committed. */
export function emitSchemaFiles(extra: Record<string, Record<string, unknown>> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (const kind of kindNames) files[schemaFileName(kind)] = JSON.stringify(kindJsonSchema(kind), null, 2) + "\n";
  files["vmsync.schema.json"] = JSON.stringify(anyKindJsonSchema(), null, 2) + "\n";
  for (const [name, schema] of Object.entries(extra)) files[name] = JSON.stringify(schema, null, 2) + "\n";
  return files;
}
