// Preload (`node --import record-loads.mjs bin/vmsync.js …`): records the URL of every module the
// run loads, one per line, in the file named by VMSYNC_TEST_LOADS — ES modules through loader hooks,
// CommonJS files (the bundle's chunks, require()d packages) as the CommonJS loader loads them, and
// at exit Node's own lazily loaded internals that matter for start-up (`node:internal/deps/…`).
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { pathToFileURL } from "node:url";

const out = process.env.VMSYNC_TEST_LOADS;
register(new URL("./record-loads-hooks.mjs", import.meta.url), { data: { out } });
const load = Module.prototype.load;
Module.prototype.load = function recordLoad(filename) {
  if (out) appendFileSync(out, `${pathToFileURL(filename).href}\n`);
  return load.call(this, filename);
};
process.on("exit", () => {
  const deps = process.moduleLoadList.filter((m) => m.startsWith("NativeModule internal/deps/")).map((m) => `node:${m.slice("NativeModule ".length)}`);
  if (out && deps.length > 0) appendFileSync(out, `${deps.join("\n")}\n`);
});
