#!/usr/bin/env node
// Build step after tsc and build-validators: bundles the CLI (dist/cli/main.js and everything it
// imports, dependencies included) into dist/bundle/, one chunk per lazily loaded part, so that a
// run reads a few dozen files instead of resolving and linking ~1,200 modules (the Azure SDKs
// alone cost ~1 s per run). CommonJS, so that V8's code cache can serve the chunks on Node 20 too
// (dist/bundle/compile-cache.cjs, from src/cli/compile-cache.ts, loaded first). bin/vmsync.js runs
// dist/bundle/main.cjs when it exists.
//
// Left outside the bundle (loaded from node_modules at run time): packages with optional native
// add-ons or optional peers that they probe with require() — bundling would cut those probes off.
// dist/bundle/chunks.json lists the source modules in each chunk (test/e2e/lazy-startup.test.ts
// uses it to check what a command loads).
import { rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

/** Packages that stay in node_modules: native add-ons or optional peers probed at run time. */
const EXTERNAL = ["ssh2", "cpu-features", "pg", "pg-native", "ws", "bufferutil", "utf-8-validate", "prom-client", "@opentelemetry/api", "playwright-core"];

/**
 * Edits to dependencies' source made while bundling, each for start-up time. Two axios modules
 * read Node's lazy web globals when they load — `FormData` (utils.js) and `Request`/`ReadableStream`
 * (the fetch adapter's `const adapter = getFetch()`) — and the Azure pipeline's form-data policy
 * reads `FormData` on every request; the first read of any of them makes Node load its internal
 * undici: ~50 ms of every run, for classes vmsync never uses (axios takes its http adapter in Node,
 * the SDK sends JSON text). Each edit keeps the library's behaviour: axios's `isFormData` looks
 * FormData up when a non-plain object first reaches the instanceof check (plain objects returned
 * false before it anyway); the pipeline tests `instanceof FormData` only for object bodies (a
 * FormData is one); the fetch adapter's unused default export is marked pure so the tree-shaker
 * drops its probe. A dependency update that changes the text fails the build here rather than
 * silently losing an edit.
 */
const SOURCE_EDITS = [
  {
    file: /[\\/]axios[\\/]lib[\\/]utils\.js$/,
    from: [
      "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
      "  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n  // Reject plain objects inheriting directly from Object.prototype so prototype-pollution gadgets can't spoof FormData.\n  const proto = getPrototypeOf(thing);\n  if (!proto || proto === Object.prototype) return false;\n",
    ],
    to: [
      "let globalFormData;\nconst formDataCtor = () => (globalFormData === undefined ? (globalFormData = typeof G.FormData !== 'undefined' ? G.FormData : null) : globalFormData);",
      "  // Reject plain objects inheriting directly from Object.prototype so prototype-pollution gadgets can't spoof FormData.\n  const proto = getPrototypeOf(thing);\n  if (!proto || proto === Object.prototype) return false;\n  const FormDataCtor = formDataCtor();\n  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n",
    ],
  },
  {
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]formData\.js$/,
    from: ['if (typeof FormData !== "undefined" && body instanceof FormData) {'],
    to: ['if (typeof body === "object" && body !== null && typeof FormData !== "undefined" && body instanceof FormData) {'],
  },
  {
    file: /[\\/]axios[\\/]lib[\\/]adapters[\\/]fetch\.js$/,
    from: ["const adapter = getFetch();"],
    to: ["const adapter = /* @__PURE__ */ getFetch();"],
  },
];

/** Applies SOURCE_EDITS; fails the build when a dependency's text no longer matches one. */
const sourceEdits = {
  name: "vmsync-source-edits",
  transform(code, id) {
    const edit = SOURCE_EDITS.find((e) => e.file.test(id));
    if (!edit) return null;
    let out = code;
    edit.from.forEach((from, i) => {
      if (!out.includes(from)) this.error(`${id} no longer contains ${JSON.stringify(from.slice(0, 60))}…: review SOURCE_EDITS in scripts/bundle.mjs`);
      out = out.replace(from, edit.to[i]);
    });
    return { code: out, map: null };
  },
};

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = `${root}dist/bundle`;
await rm(outDir, { recursive: true, force: true });

const bundle = await rolldown({
  input: { main: `${root}dist/cli/main.js`, "compile-cache": `${root}dist/cli/compile-cache.js` },
  platform: "node",
  external: (id) => EXTERNAL.some((p) => id === p || id.startsWith(`${p}/`)) || id.endsWith(".node"),
  plugins: [sourceEdits],
  logLevel: "warn",
  onLog(level, log, handler) {
    // a dependency's own `this` at module level or eval is its business; anything else is reported
    if (log.code === "EVAL" || log.code === "THIS_IS_UNDEFINED") return;
    handler(level, log);
  },
});
const { output } = await bundle.write({
  dir: outDir,
  format: "cjs",
  // V8 holds each chunk's text for as long as the process runs (functions compile lazily from it),
  // as a two-byte string if a single character is not Latin-1 — the Azure chunk took 7.8 MB instead
  // of 3.9 for a few dozen arrows and dashes. Non-ASCII is escaped, and doc comments (where the rest
  // were) are left out: the source maps point at the sources. Licence comments stay.
  charset: "ascii",
  comments: { legal: true, annotation: false, jsdoc: false },
  sourcemap: true,
  entryFileNames: "[name].cjs",
  chunkFileNames: "[name]-[hash].cjs",
});
await bundle.close();

const chunks = Object.fromEntries(
  output
    .filter((o) => o.type === "chunk")
    .map((c) => [c.fileName, c.moduleIds.filter((id) => !id.startsWith("\0")).map((id) => id.replace(root, "")).sort()]),
);
await writeFile(`${outDir}/chunks.json`, `${JSON.stringify(chunks, null, 1)}\n`);
