import pc from "picocolors";

/** Colour functions; identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * What a command writes to and how: streams, colour (on only for a TTY, never with --no-color or
 * NO_COLOR), JSON mode, debug. Commands get it instead of touching `process` directly, so tests can
 * run them in-process with captured output.
 */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  color: Colors;
  json: boolean;
  debug: boolean;
}

/** Global options every command accepts. */
export interface GlobalOptions {
  color?: boolean;
  json?: boolean;
  debug?: boolean;
}

/** True when colour should be used on `stream` given the options and the environment. */
export function wantsColor(opts: GlobalOptions, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (opts.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Builds the IO of a run from the process and the parsed global options. */
export function processIO(opts: GlobalOptions): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    color: pc.createColors(wantsColor(opts, process.stdout, process.env)),
    json: opts.json === true,
    debug: opts.debug === true,
  };
}
