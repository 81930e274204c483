/**
 * The one place that turns what a command threw into output and an exit code: manifest
 * diagnostics, usage errors and every condition vmsync understands (see known-failures.ts) are a
 * plain `error:` with a hint and exit 1; an interruption exits 130; only a programming error is
 * reported as a bug, with the way to its stack trace (`--debug`).
 */
import { CommanderError } from "commander";
import { ManifestError } from "../manifest/diagnostics.js";
import { CommandFailed, ExitCode, InterruptedError } from "./errors.js";
import type { CliIO } from "./io.js";
import { describeFailure } from "./known-failures.js";
import { diagnosticSummary, renderDiagnostics } from "./render-diagnostics.js";

/** Writes what `err` means to `io` and returns the exit code. */
export function reportError(err: unknown, io: CliIO): number {
  const c = io.color;
  const stack = () => {
    if (io.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + "\n");
  };
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
  const known = describeFailure(err);
  if (known) {
    io.stderr.write(`${c.red("error:")} ${known.message}\n${known.hint ? `  ${c.dim("hint:")} ${known.hint}\n` : ""}`);
    stack();
    return ExitCode.error;
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  io.stderr.write(`${c.red("vmsync: internal error (a bug in vmsync):")} ${message}\n`);
  if (io.debug) stack();
  else io.stderr.write(`  ${c.dim("hint:")} run the same command with --debug for the stack trace\n`);
  return ExitCode.error;
}
