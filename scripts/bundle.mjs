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

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = `${root}dist/bundle`;
await rm(outDir, { recursive: true, force: true });

const bundle = await rolldown({
  input: { main: `${root}dist/cli/main.js`, "compile-cache": `${root}dist/cli/compile-cache.js` },
  platform: "node",
  external: (id) => EXTERNAL.some((p) => id === p || id.startsWith(`${p}/`)) || id.endsWith(".node"),
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
