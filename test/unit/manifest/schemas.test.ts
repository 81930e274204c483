import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { emitSchemaFiles } from "../../../src/manifest/schema/emit.js";
import { extraSchemaFiles } from "../../../src/schemas.js";

/**
 * `schemas/` is generated from the TypeBox sources (the same values the loader validates with and
 * the TypeScript types come from). This test fails when they differ; run with UPDATE_SCHEMAS=1 to
 * regenerate on purpose.
 */
describe("schemas/", () => {
  const files = emitSchemaFiles(extraSchemaFiles());

  it("matches the generated schemas", async () => {
    for (const [name, content] of Object.entries(files)) {
      const path = join("schemas", name);
      if (process.env.UPDATE_SCHEMAS) await writeFile(path, content);
      expect(await readFile(path, "utf8").catch(() => ""), `${path} is stale: run UPDATE_SCHEMAS=1 npx vitest run test/unit/manifest/schemas.test.ts`).toBe(content);
    }
    expect((await readdir("schemas")).sort()).toEqual(Object.keys(files).sort());
  });

  it("are valid 2020-12 schemas that accept every example manifest", async () => {
    const ajv = new Ajv2020({ strict: false });
    const any = ajv.compile(JSON.parse(files["vmsync.schema.json"]!));
    for (const example of ["demo", "homelab", "azure-dev"]) {
      const dir = join("examples/clusters", example);
      for (const f of await readdir(dir)) {
        for (const doc of parseAllDocuments(await readFile(join(dir, f), "utf8")) as unknown as Array<{ toJS(): unknown }>) {
          const ok = any(doc.toJS());
          expect(ok, `${dir}/${f}: ${JSON.stringify(any.errors)}`).toBe(true);
        }
      }
    }
  });

  it("describes every field", () => {
    const missing: string[] = [];
    const visit = (s: unknown, path: string) => {
      if (typeof s !== "object" || s === null) return;
      const o = s as Record<string, unknown>;
      if (o.properties) {
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          const described = typeof v.description === "string" || k === "apiVersion" || k === "kind" || (v.anyOf as unknown[] | undefined)?.length;
          if (!described && v.type !== "object") missing.push(`${path}.${k}`);
          visit(v, `${path}.${k}`);
        }
      }
      for (const key of ["items", "anyOf", "allOf", "then"]) {
        const sub = o[key];
        if (Array.isArray(sub)) sub.forEach((x, i) => visit(x, `${path}.${key}[${i}]`));
        else visit(sub, `${path}.${key}`);
      }
    };
    for (const [name, content] of Object.entries(files)) if (name !== "vmsync.schema.json" && name !== "plan.schema.json") visit(JSON.parse(content), name);
    expect(missing).toEqual([]);
  });
});
