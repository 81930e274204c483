import { LineCounter, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../../src/manifest/diagnostics.js";
import { linePositions, ParseCache } from "../../../src/manifest/parse-cache.js";
import { parseYamlDocuments, type YamlDocument } from "../../../src/manifest/yaml-source.js";
import { schemaHash } from "../../../src/manifest/ajv-setup.js";
import { validateDocument } from "../../../src/manifest/validate.js";

const TEXT = `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: web, labels: { tier: "1" } }
spec:
  provider: pve
  disks:
    - size: 8GiB
    - { size: 16GiB, bus: virtio }
  networks: [{ model: virtio }, { vlan: 30 }]
  0: numeric key
---
# a comment
apiVersion: vmsync.io/v1
kind: NfsShare
metadata:
  name: media
spec: { provider: nas, size: 10GiB }
`;

/** Every position question the loader can ask of a document, answered. */
function answers(doc: YamlDocument): unknown[] {
  const paths: Array<Array<string | number>> = [
    [], ["kind"], ["metadata", "name"], ["metadata", "labels", "tier"], ["spec", "disks", 1, "bus"], ["spec", "disks", 7], ["spec", "networks", 1, "vlan"],
    ["spec", "missing", "deeper"], ["spec", 0], ["spec", "size"], ["nope"],
  ];
  return [doc.file, doc.index, doc.value, doc.start, ...paths.flatMap((p) => [doc.positionOf(p), doc.positionOf(p, true)])];
}

describe("parse cache", () => {
  it("gives the same documents, values and positions as parsing the YAML, without parsing it again", () => {
    const cache = new ParseCache();
    const fresh = parseYamlDocuments("a.yaml", TEXT, new DiagnosticBag(), cache);
    const again = parseYamlDocuments("b.yaml", TEXT, new DiagnosticBag(), ParseCache.fromJSON(JSON.parse(JSON.stringify(cache))));
    const plain = parseYamlDocuments("a.yaml", TEXT, new DiagnosticBag());
    expect(fresh.map(answers)).toEqual(plain.map(answers));
    expect(again.map(answers)).toEqual(plain.map((d) => answers({ ...d, file: "b.yaml", start: { ...d.start, file: "b.yaml" }, positionOf: (p, k) => ({ ...d.positionOf(p, k), file: "b.yaml" }) })));
    expect(fresh[0]!.positionOf(["spec", "disks", 1, "bus"])).toEqual({ file: "a.yaml", line: 8, column: 27 });
    // each load gets its own copy of the values
    (again[0]!.value as { kind: string }).kind = "changed";
    expect((parseYamlDocuments("b.yaml", TEXT, new DiagnosticBag(), ParseCache.fromJSON(JSON.parse(JSON.stringify(cache))))[0]!.value as { kind: string }).kind).toBe("VirtualMachine");
  });

  it("reads the node offsets only when a position other than metadata.name is asked for", () => {
    const cache = new ParseCache();
    parseYamlDocuments("a.yaml", TEXT, new DiagnosticBag(), cache);
    const saved = JSON.parse(JSON.stringify(cache)) as Record<string, { docs: Array<{ nodes: string }> }>;
    for (const f of Object.values(saved)) for (const d of f.docs) d.nodes = "not JSON: would throw if parsed";
    const [doc] = parseYamlDocuments("a.yaml", TEXT, new DiagnosticBag(), ParseCache.fromJSON(saved));
    expect(doc!.positionOf(["metadata", "name"])).toEqual({ file: "a.yaml", line: 3, column: 19 });
    expect(() => doc!.positionOf(["spec", "provider"])).toThrow(SyntaxError);
  });

  it("does not keep files with errors, or values JSON cannot hold exactly", () => {
    const cache = new ParseCache();
    const bag = new DiagnosticBag();
    parseYamlDocuments("bad.yaml", "a: 1\na: 2\n", bag, cache);
    expect(bag.errors).toBe(1);
    const inf = parseYamlDocuments("inf.yaml", "size: .inf\n", new DiagnosticBag(), cache);
    expect((inf[0]!.value as { size: number }).size).toBe(Infinity);
    expect(cache.toJSON()).toEqual({});
  });

  it("keeps only what the last load used, and says when that changed", () => {
    const cache = new ParseCache();
    parseYamlDocuments("a.yaml", "a: 1\n", new DiagnosticBag(), cache);
    expect(cache.changed()).toBe(true);
    cache.nextLoad();
    parseYamlDocuments("b.yaml", "b: 2\n", new DiagnosticBag(), cache);
    expect(Object.keys(cache.toJSON())).toHaveLength(1);
    const again = ParseCache.fromJSON(JSON.parse(JSON.stringify(cache)));
    again.nextLoad();
    parseYamlDocuments("b.yaml", "b: 2\n", new DiagnosticBag(), again);
    expect(again.changed()).toBe(false);
  });

  it("maps offsets to lines and columns as the yaml library does", () => {
    const lc = new LineCounter();
    parseAllDocuments(TEXT, { lineCounter: lc });
    const pos = linePositions(TEXT);
    for (let o = 0; o <= TEXT.length; o++) expect(pos(o)).toEqual(lc.linePos(o));
  });

  describe("validation", () => {
    const VM = "apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata: { name: web }\nspec: { provider: pve, memory: 1GiB }\n";
    const saved = (cache: ParseCache) => JSON.parse(JSON.stringify(cache)) as Record<string, { docs: Array<{ json: string; valid?: string }> }>;
    const validate = (cache: ParseCache) => {
      const bag = new DiagnosticBag();
      const valid = parseYamlDocuments("vm.yaml", VM, bag, cache).map((d) => validateDocument(d, bag));
      return { valid, errors: bag.sorted().map((d) => d.message) };
    };

    it("a document that passed is remembered with its kind's schema hash, and the cache counts as changed", () => {
      const cache = new ParseCache();
      expect(validate(cache).errors).toEqual([]);
      const again = ParseCache.fromJSON(saved(cache));
      again.nextLoad();
      validate(again);
      expect(again.changed()).toBe(false); // parsed and validated before: nothing new to save
      expect(Object.values(saved(cache))[0]!.docs[0]!.valid).toBe(schemaHash("VirtualMachine"));
    });

    it("is skipped only for the same text against the same schema: another hash means validating again", () => {
      const cache = new ParseCache();
      validate(cache);
      // the cached value made invalid behind the loader's back shows which loads validate it
      const tampered = saved(cache);
      const doc = Object.values(tampered)[0]!.docs[0]!;
      doc.json = JSON.stringify({ ...JSON.parse(doc.json), spec: { provider: "pve", memory: 12 } });
      expect(validate(ParseCache.fromJSON(tampered)).errors).toEqual([]); // trusted: same text, same schema
      doc.valid = "hash of an older schema";
      expect(validate(ParseCache.fromJSON(tampered)).errors).toEqual(["must be a string, not number 12"]);
      delete doc.valid;
      expect(validate(ParseCache.fromJSON(tampered)).errors).toEqual(["must be a string, not number 12"]);
    });

    it("a document that failed is not remembered as valid", () => {
      const cache = new ParseCache();
      const bag = new DiagnosticBag();
      const bad = VM.replace("memory: 1GiB", "memory: 12");
      for (const d of parseYamlDocuments("vm.yaml", bad, bag, cache)) validateDocument(d, bag);
      expect(bag.errors).toBeGreaterThan(0);
      expect(Object.values(saved(cache))[0]!.docs[0]!.valid).toBeUndefined();
    });
  });
});
