import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from "yaml";
import type { DiagnosticBag, SourcePos } from "./diagnostics.js";

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
}

/**
 * Parses the multi-document YAML `text` of `file`. Syntax errors, duplicate keys and alias bombs
 * become diagnostics (the broken document is dropped; the others still load).
 */
export function parseYamlDocuments(file: string, text: string, bag: DiagnosticBag): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const pos = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line, column: col };
  };
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: YamlDocument[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        bag.error(pos(err.pos[0]), "yaml-syntax", "", `YAML syntax error: ${firstLine(err.message)}`, syntaxHint(err.code));
      }
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. a trailing `---`
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      bag.error(
        pos(doc.range[0]),
        "yaml-alias-limit",
        "",
        `document expands more than ${MAX_ALIAS_COUNT} aliases (${firstLine((err as Error).message)})`,
        "Write the values out instead of nesting aliases; deeply nested aliases are refused as a resource-exhaustion attack.",
      );
      return;
    }
    out.push({
      file,
      index,
      value,
      start: pos(doc.contents.range[0]),
      positionOf: (path, atKey = false) => pos(offsetOf(doc, path, atKey)),
    });
  });
  return out;
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

/** Offset of the node at `path` (or its key), walking down maps and sequences as far as they go. */
function offsetOf(doc: Document, path: ReadonlyArray<string | number>, atKey: boolean): number {
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) return offset;
      const last = i === path.length - 1;
      const keyNode = pair.key as Node | null;
      if (last && atKey && keyNode?.range) return keyNode.range[0];
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
