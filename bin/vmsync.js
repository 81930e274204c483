#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI (dist/ is built by `npm ci` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("vmsync: the compiled CLI is missing (dist/). Run `npm run build` in the checkout first.\n");
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
