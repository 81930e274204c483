/** Runs the vmsync CLI in this process with captured output (no dist/ build needed). */
import { PassThrough } from "node:stream";
import pc from "picocolors";
import { run } from "../../../src/cli/main.js";
import type { CliIO } from "../../../src/cli/io.js";

/** What one in-process CLI run did. */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `vmsync ARGS` in-process with `env` as its whole environment and `cwd` as its folder. */
export async function runInProcess(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, (g): CliIO => ({
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: new PassThrough(),
    env: opts.env ?? {},
    cwd: opts.cwd,
    color: pc.createColors(false),
    json: g.json === true,
    debug: g.debug === true,
  }));
  return { code, stdout, stderr };
}
