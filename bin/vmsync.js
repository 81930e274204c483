#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI — the bundle (dist/bundle/, by
// scripts/bundle.mjs: a few dozen CommonJS files, served from V8's code cache after the first run)
// when the build made one, else tsc's output (dist/cli/). Both are built by `npm ci` / `npm run build`.
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/bundle/", import.meta.url));
const unbundled = new URL("../dist/cli/main.js", import.meta.url);
let run;
if (existsSync(`${bundle}main.cjs`)) {
  const dir = realpathSync(bundle);
  const require = createRequire(import.meta.url);
  require(`${dir}/compile-cache.cjs`).enableCompileCache(dir);
  ({ run } = require(`${dir}/main.cjs`));
} else if (existsSync(fileURLToPath(unbundled))) {
  ({ run } = await import(unbundled.href));
} else {
  process.stderr.write("vmsync: the compiled CLI is missing (dist/). Run `npm run build` in the checkout first.\n");
  process.exit(1);
}
process.exitCode = await run(process.argv.slice(2));
// Once a command has finished nothing of it should keep the process alive. If something does (a
// socket or timer left open: a bug), exit anyway rather than hang a script, CI job or service stop.
const LINGER_MS = 3000;
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r !== "Timeout" && r !== "TTYWrap");
  process.stderr.write(`vmsync: still running ${LINGER_MS / 1000} s after the command finished (left open: ${open.join(", ") || "timers"}; a bug in vmsync); exiting\n`);
  process.exit();
}, LINGER_MS).unref();
