// Runs `vmsync --json validate DIR` in a worker thread with the compiled CLI (dist/) and captured
// output, one case per message, so the soak's main thread can stop a case that hangs.
import { PassThrough } from "node:stream";
import { parentPort } from "node:worker_threads";
import pc from "picocolors";

const { run } = await import(new URL("../../dist/cli/main.js", import.meta.url).href);
const colors = pc.createColors(false);

parentPort.on("message", async ({ id, dir, cwd }) => {
  let stdout = "";
  let stderr = "";
  const code = await run(["--json", "validate", dir], () => ({
    stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) }, stdin: new PassThrough(),
    env: {}, cwd, color: colors, json: true, debug: false,
  }));
  parentPort.postMessage({ id, code, stdout, stderr });
});
parentPort.postMessage({ ready: true });
