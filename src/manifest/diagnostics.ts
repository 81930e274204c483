/**
 * A problem found in the user's manifests. Diagnostics are collected and shown all at once, never
 * thrown one at a time. Every diagnostic has a position: `file` is relative to the current folder
 * when possible, `line`/`column` are 1-based, `path` is the field path (`spec.disks[0].size`, empty
 * for whole-document or whole-file problems), `hint` says how to fix it.
 */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable machine-readable code, e.g. `unknown-field`, `dangling-reference`. */
  code: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}

/** Where something is in a source file. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** Collects diagnostics; `errors` tells whether any error (not warning) was found. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Omit<Diagnostic, "severity"> & { severity?: Diagnostic["severity"] }): void {
    this.items.push({ severity: "error", ...d });
  }

  error(at: SourcePos, code: string, path: string, message: string, hint?: string): void {
    this.add({ ...at, code, path, message, ...(hint ? { hint } : {}) });
  }

  get errors(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  /** Diagnostics ordered by file, line, column — the order a person reads them in. */
  sorted(): Diagnostic[] {
    return [...this.items].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
    );
  }
}

/** Thrown by commands when manifests have errors; carries every diagnostic. Exit code 1. */
export class ManifestError extends Error {
  readonly code = "MANIFEST_INVALID";
  readonly retryable = false;
  constructor(readonly diagnostics: Diagnostic[]) {
    const n = diagnostics.filter((d) => d.severity === "error").length;
    super(`${n} error${n === 1 ? "" : "s"} in the manifests`);
    this.name = "ManifestError";
  }
}

/** Levenshtein distance, for did-you-mean hints. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word` when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** Renders a JSON-pointer-like list of keys as a field path: `spec.disks[0].size`. */
export function fieldPath(keys: ReadonlyArray<string | number>): string {
  let out = "";
  for (const k of keys) out += typeof k === "number" ? `[${k}]` : out === "" ? k : `.${k}`;
  return out;
}
