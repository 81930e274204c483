import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCommands } from "./commands/index.js";
import { ExitCode } from "./errors.js";
export { setExitCode } from "./errors.js";
import { processIO, type CliIO, type GlobalOptions } from "./io.js";
import { reportError } from "./report-error.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Errors are mapped
 * to output and exit codes in one place (report-error.ts): manifest diagnostics, usage errors and
 * known conditions → 1 with a hint, interruption → 130, a programming error → 1 as a bug (the
 * stack with --debug).
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
    .option("--debug", "show the stack trace of errors")
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

