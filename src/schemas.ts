/**
 * Schemas shipped in `schemas/` besides the manifest kinds (e.g. the saved plan format). Each module
 * that owns a format registers its schema here so that one generator writes them all.
 */
export function extraSchemaFiles(): Record<string, Record<string, unknown>> {
  return {};
}
