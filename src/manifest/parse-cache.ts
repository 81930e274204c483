import { createHash } from "node:crypto";

/** Offsets of a document's nodes by field path (`pathKey`): the value's, and the key's for mapping entries (-1 when none). */
export type NodeOffsets = Record<string, [number, number]>;

/**
 * One YAML file as a previous load parsed it: per document its index, its value as JSON text (each
 * use parses a fresh copy, so later stages may change it), the offset where it starts, and the
 * offsets of every node as JSON text — enough to point a diagnostic at a line and column without
 * parsing the YAML again. The node offsets are parsed only when a diagnostic asks for a position
 * (a clean load of 10,000 documents never does), except `hot`: those of `metadata` and
 * `metadata.name`, where every resource is reported as a whole. `valid` is the hash of the kind's
 * schema (`schemaHash`) the value last passed validation against, so that an unchanged document is
 * not validated again until the schema changes.
 */
export interface ParsedFile {
  docs: CachedDoc[];
}

/** One document of a `ParsedFile`. */
export interface CachedDoc {
  index: number;
  json: string;
  start: number;
  nodes: string;
  hot: NodeOffsets;
  valid?: string;
}

/** The paths kept in `ParsedFile` docs' `hot` offsets. */
export const HOT_PATHS: ReadonlyArray<ReadonlyArray<string>> = [["metadata"], ["metadata", "name"]];

/**
 * Parsed manifest files by the SHA-256 of their text, so that a load parses only files whose text
 * changed (YAML parsing with source positions costs about a millisecond per document — seconds for
 * a fleet of thousands). Only files that parsed without errors, and whose values survive a JSON round
 * trip, are kept. `toJSON()` holds what the last load used, for persisting it (state/parse-cache-file.ts).
 */
export class ParseCache {
  private readonly used = new Map<string, ParsedFile>();
  private added = 0;

  constructor(private readonly known: Map<string, ParsedFile> = new Map()) {}

  /** The cached parse of a file with this text. */
  get(text: string): ParsedFile | undefined {
    const h = hashOf(text);
    const hit = this.known.get(h);
    if (hit) this.used.set(h, hit);
    return hit;
  }

  /** Keeps the parse of a file with this text. */
  set(text: string, parsed: ParsedFile): void {
    const h = hashOf(text);
    this.known.set(h, parsed);
    this.used.set(h, parsed);
    this.added++;
  }

  /** Notes that `doc` (of a file this load got or set) passed validation against the schema with `hash`. */
  markValid(doc: CachedDoc, hash: string): void {
    if (doc.valid === hash) return;
    doc.valid = hash;
    this.added++;
  }

  /** True when persisting would change what was loaded: a file was parsed or validated, or one is no longer used. */
  changed(): boolean {
    return this.added > 0 || this.used.size !== this.known.size;
  }

  /** What the last load used (the rest is dropped when it is persisted). */
  toJSON(): Record<string, ParsedFile> {
    return Object.fromEntries(this.used);
  }

  /** A cache from what `toJSON` gave; anything malformed is dropped. */
  static fromJSON(data: unknown): ParseCache {
    const known = new Map<string, ParsedFile>();
    if (data && typeof data === "object") {
      for (const [h, f] of Object.entries(data as Record<string, ParsedFile>)) if (Array.isArray(f?.docs) && f.docs.every((d) => typeof d?.nodes === "string")) known.set(h, f);
    }
    return new ParseCache(known);
  }

  /** Starts a new load: files it does not use are dropped when it is persisted. */
  nextLoad(): void {
    this.used.clear();
    this.added = 0;
  }
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The key of a field path in `ParsedFile.nodes`. */
export function pathKey(path: ReadonlyArray<string | number>): string {
  return JSON.stringify(path);
}

/** True when JSON holds `value` exactly (no undefined, non-finite numbers, dates or other objects). */
export function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonExact);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(jsonExact);
  return false;
}

/** A function from an offset in `text` to its 1-based line and column (computed on first use). */
export function linePositions(text: string): (offset: number) => { line: number; col: number } {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  };
}
