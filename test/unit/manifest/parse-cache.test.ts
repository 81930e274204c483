import { LineCounter, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../../src/manifest/diagnostics.js";
import { linePositions, ParseCache } from "../../../src/manifest/parse-cache.js";
import { parseYamlDocuments, type YamlDocument } from "../../../src/manifest/yaml-source.js";

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
});
