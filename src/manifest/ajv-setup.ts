import { createHash } from "node:crypto";
import type { Options } from "ajv";
import { kindSchemas, SECRET_KEYWORD, type KindName } from "./schema/index.js";

/**
 * How manifest validators are built — the same for validators compiled at run time and for those
 * compiled at build time (scripts/build-validators.mjs writes dist/manifest/validators/<Kind>.cjs),
 * so both report the same errors.
 */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, useDefaults: false, strict: false };

/** Keywords the schemas use that Ajv must accept (annotations only). */
export const EXTRA_KEYWORDS = [SECRET_KEYWORD];

const hashes = new Map<KindName, string>();

/**
 * A hash of a kind's schema (and of how validators are built): a validator compiled from another
 * schema is never used, and a document the parse cache remembers as valid against another is
 * validated again.
 */
export function schemaHash(kind: KindName): string {
  let h = hashes.get(kind);
  if (h === undefined) hashes.set(kind, (h = createHash("sha256").update(JSON.stringify([kindSchemas[kind], AJV_OPTIONS, EXTRA_KEYWORDS])).digest("hex")));
  return h;
}
