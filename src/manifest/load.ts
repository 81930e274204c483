import { readFile } from "node:fs/promises";
import { DiagnosticBag, type Diagnostic } from "./diagnostics.js";
import { findManifestFiles } from "./files.js";
import type { DesiredState } from "./model.js";
import { resolveDocuments, type LoadedDocument } from "./resolve.js";
import { checkFileRefs } from "./secrets.js";
import { validateDocument } from "./validate.js";
import { parseYamlDocuments } from "./yaml-source.js";
import type { ParseCache } from "./parse-cache.js";

/** What loading manifests gives: the desired state (meaningful only without errors) and every diagnostic. */
export interface LoadResult {
  desired: DesiredState;
  diagnostics: Diagnostic[];
  /** Number of errors among the diagnostics (warnings do not count). */
  errors: number;
  /** The manifest files read, as displayed. */
  files: string[];
}

/**
 * Loads manifests from files and folders: finds `.yaml`/`.yml` files, parses every document,
 * validates it against its kind's schema, and resolves references into the desired state. Never
 * throws for problems in the manifests: they are all returned as diagnostics, sorted by position.
 * With `parseCache`, files whose text was parsed before are not parsed again.
 */
export async function loadManifests(paths: string[], cwd = process.cwd(), parseCache?: ParseCache): Promise<LoadResult> {
  const bag = new DiagnosticBag();
  parseCache?.nextLoad();
  const files = await findManifestFiles(paths.length > 0 ? paths : ["."], bag, cwd);
  const docs: LoadedDocument[] = [];
  const invalid = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file.path, "utf8");
    } catch (err) {
      bag.error({ file: file.display, line: 1, column: 1 }, "unreadable-file", "", `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, "Check the file's permissions.");
      continue;
    }
    for (const doc of parseYamlDocuments(file.display, text, bag, parseCache)) {
      checkFileRefs(doc, file.path, file.root, bag);
      const valid = validateDocument(doc, bag);
      if (valid) docs.push({ ...valid, absFile: file.path, root: file.root });
      else if (declaredName(doc.value)) invalid.add(declaredName(doc.value)!);
    }
  }
  const desired = resolveDocuments(docs, bag, invalid);
  return { desired, diagnostics: bag.sorted(), errors: bag.errors, files: files.map((f) => f.display) };
}

/** `Kind/name` of a document that failed validation, when both can still be read. */
function declaredName(value: unknown): string | undefined {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return typeof v?.kind === "string" && typeof v.metadata?.name === "string" ? `${v.kind}/${v.metadata.name}` : undefined;
}
