import fc from "fast-check";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../../src/manifest/diagnostics.js";
import { validateDocument } from "../../../src/manifest/validate.js";
import { parseYamlDocuments } from "../../../src/manifest/yaml-source.js";
import { resolveDocuments, type LoadedDocument } from "../../../src/manifest/resolve.js";

/**
 * Random mutations of the valid demo manifests (deleted, duplicated or swapped characters and
 * lines, random values inserted) must never crash the loader, and every diagnostic must carry a
 * position.
 */
const files = ["examples/clusters/demo/vms.yaml", "examples/clusters/demo/providers.yaml", "examples/clusters/demo/storage.yaml"];

function load(text: string) {
  const bag = new DiagnosticBag();
  const docs: LoadedDocument[] = [];
  for (const doc of parseYamlDocuments("m.yaml", text, bag)) {
    const valid = validateDocument(doc, bag);
    if (valid) docs.push({ ...valid, absFile: "/tmp/m.yaml", root: "/tmp" });
  }
  resolveDocuments(docs, bag);
  return bag.items;
}

const mutation = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).chain((at) => fc.nat({ max: 20 }).map((n) => text.slice(0, at) + text.slice(at + n))),
    fc.tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 12 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom(": ", "- ", "[", "{", "}", "*a", "&a ", "\t", "---\n", "\n  ", "null", "-1", "1e999", "'", '"')).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => {
      const lines = text.split("\n");
      const i = a % lines.length;
      const j = b % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join("\n");
    }),
  );

describe("loader under random mutations", () => {
  for (const file of files) {
    it(`never crashes and always gives positions (${file})`, async () => {
      const text = await readFile(file, "utf8");
      fc.assert(
        fc.property(fc.array(fc.constant(null), { minLength: 1, maxLength: 3 }).chain((ms) => ms.reduce((acc) => acc.chain((t) => mutation(t)), fc.constant(text))), (mutated) => {
          const diagnostics = load(mutated);
          for (const d of diagnostics) {
            expect(d.file).toBe("m.yaml");
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
            expect(d.message.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: 300, seed: 42 },
      );
    });
  }
});
