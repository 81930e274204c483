import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import type { DiagnosticBag, SourcePos } from "./diagnostics.js";
import { HOT_PATHS, jsonExact, linePositions, pathKey, type CachedDoc, type NodeOffsets, type ParseCache } from "./parse-cache.js";

/** Most aliases a document may expand; more is treated as an alias bomb (billion laughs). */
export const MAX_ALIAS_COUNT = 100;

/**
 * One YAML document of a manifest file, with its value as plain data and a way back from a field
 * path to a source position, so that every diagnostic can point at the right line and column.
 */
export interface YamlDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** Position of the document's first line. */
  start: SourcePos;
  /** Position of the value at `path`, or of its key when `atKey`; falls back to the nearest ancestor. */
  positionOf(path: ReadonlyArray<string | number>, atKey?: boolean): SourcePos;
  /** The schema hash this very text passed validation against when last loaded (from the parse cache). */
  validAgainst?: string;
  /** Remembers in the parse cache that the value passed validation against the schema with `hash`. */
  recordValid?(hash: string): void;
}

/**
 * Parses the multi-document YAML `text` of `file`. Syntax errors, duplicate keys and alias bombs
 * become diagnostics (the broken document is dropped; the others still load). With `cache`, a file
 * whose text was parsed before is not parsed again (see `ParseCache`).
 */
export function parseYamlDocuments(file: string, text: string, bag: DiagnosticBag, cache?: ParseCache): YamlDocument[] {
  const lines = linePositions(text);
  const pos = (offset: number): SourcePos => {
    const { line, col } = lines(Math.max(0, Math.min(offset, text.length)));
    return { file, line, column: col };
  };
  const cached = cache?.get(text);
  const docs: ParsedDoc[] = cached
    ? cached.docs.map((d) => ({ index: d.index, start: d.start, value: JSON.parse(d.json) as unknown, hot: d.hot, nodes: once(() => JSON.parse(d.nodes) as NodeOffsets), entry: d }))
    : parseFresh(text, bag, pos, cache);
  return docs.map((d) => {
    const entry = d.entry;
    return {
      file,
      index: d.index,
      value: d.value,
      start: pos(d.start),
      positionOf: (path, atKey = false) => pos(offsetOf(d, path, atKey)),
      ...(entry?.valid !== undefined ? { validAgainst: entry.valid } : {}),
      ...(entry && cache ? { recordValid: (hash: string) => cache.markValid(entry, hash) } : {}),
    };
  });
}

/** A parsed document: its value and where its nodes are (`hot` ones at hand, all of them on demand). */
interface ParsedDoc {
  index: number;
  start: number;
  value: unknown;
  hot: NodeOffsets;
  nodes: () => NodeOffsets;
  /** Its entry in the parse cache, when the file is (or now is) in it. */
  entry?: CachedDoc;
}

/** `f`'s result, computed on the first call. */
function once<T>(f: () => T): () => T {
  let done: { value: T } | undefined;
  return () => (done ??= { value: f() }).value;
}

/** The offsets of `HOT_PATHS` among `nodes`. */
function hotOf(nodes: NodeOffsets): NodeOffsets {
  const out: NodeOffsets = {};
  for (const p of HOT_PATHS) {
    const at = nodes[pathKey(p)];
    if (at) out[pathKey(p)] = at;
  }
  return out;
}

/** Parses `text` with the `yaml` library; keeps the result in `cache` when the file has no errors and plain JSON values. */
function parseFresh(text: string, bag: DiagnosticBag, pos: (offset: number) => SourcePos, cache: ParseCache | undefined): ParsedDoc[] {
  // JSON-shaped values only: YAML 1.1's !!binary, !!set, !!omap, !!pairs and !!timestamp are not
  // resolved (they would give Buffers, Sets and Dates), and are reported below; the yaml library
  // prints nothing on its own (logLevel error: no process warnings about collection keys)
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, merge: true, resolveKnownTags: false, logLevel: "error" });
  const out: ParsedDoc[] = [];
  if (!Array.isArray(docs)) return out; // an empty stream
  let clean = true;
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      clean = false;
      for (const err of doc.errors) {
        bag.error(pos(err.pos[0]), "yaml-syntax", "", `YAML syntax error: ${firstLine(err.message)}`, syntaxHint(err.code));
      }
      return;
    }
    const tags = doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED");
    if (tags.length > 0) {
      clean = false;
      for (const w of tags) {
        const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1]?.replace("tag:yaml.org,2002:", "!!") ?? "this tag";
        bag.error(pos(w.pos[0]), "yaml-tag", "", `YAML tag ${tag} is not supported in manifests`, "Remove the tag and write the value as plain YAML (a string, number, boolean, list or mapping); manifests hold JSON-shaped values only.");
      }
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. a trailing `---`
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      clean = false;
      bag.error(
        pos(doc.range[0]),
        "yaml-alias-limit",
        "",
        `document expands more than ${MAX_ALIAS_COUNT} aliases (${firstLine((err as Error).message)})`,
        "Write the values out instead of nesting aliases; deeply nested aliases are refused as a resource-exhaustion attack.",
      );
      return;
    }
    if (!jsonExact(value)) clean = false;
    const nodes: NodeOffsets = {};
    const root = doc.contents as Node;
    indexNodes(root, [], root.range?.[0] ?? 0, nodes);
    out.push({ index, value, start: root.range?.[0] ?? 0, hot: hotOf(nodes), nodes: () => nodes });
  });
  if (clean && cache) {
    const entries = out.map((d): CachedDoc => ({ index: d.index, start: d.start, json: JSON.stringify(d.value), nodes: JSON.stringify(d.nodes()), hot: d.hot }));
    cache.set(text, { docs: entries });
    out.forEach((d, i) => (d.entry = entries[i]));
  }
  return out;
}

/**
 * Records the offset of every node below `node` by field path: mapping entries with their value's
 * offset (their key's when the value has none) and their key's; sequence items with their own.
 */
function indexNodes(node: Node | null | undefined, path: Array<string | number>, offset: number, out: NodeOffsets): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : keyNode;
      if (typeof key !== "string" && typeof key !== "number") continue;
      const value = pair.value as Node | null;
      const at = value?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
      const p = [...path, key];
      out[pathKey(p)] = [at, keyNode?.range?.[0] ?? -1];
      indexNodes(value, p, at, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const at = (item as Node | null)?.range?.[0] ?? offset;
      const p = [...path, i];
      out[pathKey(p)] = [at, -1];
      indexNodes(item as Node | null, p, at, out);
    });
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function syntaxHint(code: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "Each key may appear once in a mapping; remove or rename one of them.";
    case "BAD_INDENT":
    case "MISSING_CHAR":
      return "Check the indentation: nested fields are indented by the same number of spaces, and tabs are not allowed.";
    case "TAB_AS_INDENT":
      return "Indent with spaces; YAML does not allow tabs.";
    default:
      return "Fix the YAML syntax at this position.";
  }
}

/** Offset of the node at `path` (or its key), as far down the path as the document goes. */
function offsetOf(doc: Pick<ParsedDoc, "start" | "nodes" | "hot">, path: ReadonlyArray<string | number>, atKey: boolean): number {
  let offset = doc.start;
  for (let i = 1; i <= path.length; i++) {
    const key = pathKey(path.slice(0, i));
    const node = doc.hot[key] ?? doc.nodes()[key];
    if (!node) return offset;
    if (i === path.length && atKey && node[1] >= 0) return node[1];
    offset = node[0];
  }
  return offset;
}
