import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { DiagnosticBag } from "./diagnostics.js";
import { isPlainObject } from "./merge.js";
import type { YamlDocument } from "./yaml-source.js";

/** A secret reference once checked: `{env}` or `{file}` (file paths relative to the manifest). */
export type SecretRefValue = { env: string } | { file: string };

/**
 * Diagnoses `{file: …}` references in a document that point outside the manifest tree `root`
 * (absolute paths, `..` escapes): a manifest must not be able to read arbitrary files.
 */
export function checkFileRefs(doc: YamlDocument, absFile: string, root: string, bag: DiagnosticBag): void {
  const base = dirname(absFile);
  // one path stack for the whole walk: every document of a fleet is visited on every load
  const keys: Array<string | number> = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        visit(v[i]);
        keys.pop();
      }
      return;
    }
    if (!isPlainObject(v)) return;
    if (typeof v.file === "string" && hasOneKey(v)) {
      const target = resolve(base, v.file);
      const rel = relative(root, target);
      if (isAbsolute(v.file) || rel.startsWith("..") || isAbsolute(rel)) {
        bag.error(doc.positionOf([...keys, "file"]), "secret-file-escapes", [...keys, "file"].map(String).join("."), `{file: ${v.file}} points outside the manifest tree (${root})`, "Keep secret files inside the manifest folder (and out of git), or use {env: NAME}.");
      }
      return;
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      keys.push(k);
      visit(v[k]);
      keys.pop();
    }
  };
  visit(doc.value);
}

function hasOneKey(v: object): boolean {
  let n = 0;
  for (const k in v) if (Object.hasOwn(v, k) && ++n > 1) return false;
  return n === 1;
}

/** Thrown when a referenced secret cannot be read; the message names the reference, never a value. */
export class SecretUnavailableError extends Error {
  readonly code = "SECRET_UNAVAILABLE";
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "SecretUnavailableError";
  }
}

/**
 * Reads a secret at run time: from the environment, or from a file relative to `baseDir` (trailing
 * newline trimmed). The value is returned to the caller only; nothing is logged.
 */
export async function readSecret(ref: SecretRefValue, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if ("env" in ref) {
    const v = env[ref.env];
    if (v === undefined || v === "") throw new SecretUnavailableError(`environment variable ${ref.env} is not set (it holds a secret the manifests reference)`);
    return v;
  }
  const path = resolve(baseDir, ref.file);
  try {
    return (await readFile(path, "utf8")).replace(/\r?\n$/, "");
  } catch (err) {
    throw new SecretUnavailableError(`cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** Reads a non-secret setting given as a literal or `{env: NAME}`. */
export function readSetting(value: string | { env: string } | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  const v = env[value.env];
  if (v === undefined || v === "") throw new SecretUnavailableError(`environment variable ${value.env} is not set`);
  return v;
}

