#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI — the bundle (dist/bundle/, by
// scripts/bundle.mjs: a few dozen files load much faster than ~1,200 modules) when the build made
// one, else tsc's output (dist/cli/). Both are built by `npm ci` / `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundled = new URL("../dist/bundle/main.js", import.meta.url);
const main = existsSync(fileURLToPath(bundled)) ? bundled : new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("vmsync: the compiled CLI is missing (dist/). Run `npm run build` in the checkout first.\n");
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
// Once a command has finished nothing of it should keep the process alive. If something does (a
// socket or timer left open: a bug), exit anyway rather than hang a script, CI job or service stop.
const LINGER_MS = 3000;
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r !== "Timeout" && r !== "TTYWrap");
  process.stderr.write(`vmsync: still running ${LINGER_MS / 1000} s after the command finished (left open: ${open.join(", ") || "timers"}; a bug in vmsync); exiting\n`);
  process.exit();
}, LINGER_MS).unref();
