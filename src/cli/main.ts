import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ManifestError } from "../manifest/diagnostics.js";
import { StateLockedError } from "../state/contract.js";
import { registerCommands } from "./commands/index.js";
import { CommandFailed, ExitCode, InterruptedError, UsageError } from "./errors.js";
export { setExitCode } from "./errors.js";
import { processIO, type CliIO, type GlobalOptions } from "./io.js";
import { diagnosticSummary, renderDiagnostics } from "./render-diagnostics.js";

/** Where people report bugs; printed with unexpected errors. */
export const ISSUES_URL = "https://github.com/vmsync/vmsync/issues";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. The only place that
 * maps errors to exit codes: manifest diagnostics, usage and runtime errors → 1, interruption → 130,
 * anything unexpected → 1 with a short message (the stack only with --debug).
 */
export async function run(argv: string[], makeIO: (opts: GlobalOptions) => CliIO = processIO): Promise<number> {
  let io: CliIO | undefined;
  const program = new Command("vmsync");
  const currentIO = (): CliIO => (io ??= makeIO(program.opts<GlobalOptions>()));
  program
    .description("Declarative, GitOps-style reconciler for Proxmox VE, TrueNAS SCALE and Azure VMs")
    .version(version(), "-V, --version", "print the version")
    .option("--no-color", "no colour in the output (also: NO_COLOR=1)")
    .option("--json", "machine-readable JSON output")
    .option("--debug", "show stack traces of unexpected errors")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => currentIO().stdout.write(s),
      writeErr: (s) => currentIO().stderr.write(s),
    })
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync validate examples/clusters/demo
  $ vmsync plan examples/clusters/demo
  $ vmsync apply examples/clusters/demo --auto-approve
  $ vmsync sim            # run the built-in simulators

Exit codes: 0 success, 1 error, 2 changes present (plan --detailed-exitcode), 130 interrupted.
Environment: NO_COLOR disables colour.`,
    );
  try {
    await registerCommands(program, currentIO, argv);
    let code: number | undefined;
    program.hook("postAction", (_cmd, action) => {
      const v = (action as Command & { _exitCode?: number })._exitCode;
      if (typeof v === "number") code = v;
    });
    await program.parseAsync(argv, { from: "user" });
    return code ?? ExitCode.ok;
  } catch (err) {
    return reportError(err, currentIO());
  }
}

function reportError(err: unknown, io: CliIO): number {
  const c = io.color;
  if (err instanceof CommanderError) {
    return err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help" ? ExitCode.ok : ExitCode.error;
  }
  if (err instanceof ManifestError) {
    if (io.json) io.stdout.write(JSON.stringify({ formatVersion: 1, valid: false, diagnostics: err.diagnostics }) + "\n");
    else io.stderr.write(renderDiagnostics(err.diagnostics, c) + `\n${c.red(diagnosticSummary(err.diagnostics))} — nothing was changed.\n`);
    return ExitCode.error;
  }
  if (err instanceof InterruptedError) {
    io.stderr.write(`${c.yellow("interrupted:")} ${err.message}\n`);
    return ExitCode.interrupted;
  }
  if (err instanceof CommandFailed) {
    if (!err.alreadyReported) io.stderr.write(`${c.red("error:")} ${err.message}\n`);
    return ExitCode.error;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`${c.red("error:")} ${err.message}\n${err.hint ? `  ${c.dim("hint:")} ${err.hint}\n` : ""}`);
    return ExitCode.error;
  }
  if (err instanceof StateLockedError || isKnownError(err)) {
    io.stderr.write(`${c.red("error:")} ${(err as Error).message}\n`);
    if (io.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + "\n");
    return ExitCode.error;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${c.red("vmsync: unexpected error:")} ${message}\nThis is a bug in vmsync. Please report it at ${ISSUES_URL} with the output of the same command run with --debug.\n`);
  if (io.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + "\n");
  return ExitCode.error;
}

/** Errors of vmsync's own runtime (providers, state, secrets) carry a stable string `code`. */
function isKnownError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "string" && "retryable" in err;
}
