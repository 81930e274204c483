/**
 * Exit codes, an API once published: 0 success (no changes with --detailed-exitcode), 1 error,
 * 2 changes present (plan --detailed-exitcode), 130 interrupted (SIGINT/SIGTERM).
 */
export const ExitCode = { ok: 0, error: 1, changes: 2, interrupted: 130 } as const;

/** A mistake in how vmsync was called (bad flag combination, missing argument). Exit 1. */
export class UsageError extends Error {
  readonly code = "USAGE";
  readonly retryable = false;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A run stopped by SIGINT/SIGTERM after saving what it had done. Exit 130. */
export class InterruptedError extends Error {
  readonly code = "INTERRUPTED";
  readonly retryable = false;
  constructor(message = "interrupted") {
    super(message);
    this.name = "InterruptedError";
  }
}

/** A command that ran to the end but must report a non-zero outcome (e.g. a failed apply step). */
export class CommandFailed extends Error {
  readonly code = "FAILED";
  readonly retryable = false;
  constructor(message: string, readonly alreadyReported = true) {
    super(message);
    this.name = "CommandFailed";
  }
}

/** Lets a command action choose the exit code (e.g. 2 for changes present) without throwing. */
export function setExitCode(cmd: { _exitCode?: number } | object, code: number): void {
  (cmd as { _exitCode?: number })._exitCode = code;
}

/** Result of a command: an exit code it chose (e.g. 2 for changes present). */
export type CommandResult = number | void;
