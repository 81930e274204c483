/**
 * Failures of the operating system under the file state (disk full, permission denied, read-only
 * filesystem, …) named by what vmsync was doing and where, with the OS's code kept as `cause`.
 */
import { getSystemErrorMap } from "node:util";

/** A Node system error: what `fs` throws (numeric `errno`, string `code` and `syscall`). */
export type SystemError = NodeJS.ErrnoException & { errno: number; code: string; syscall: string };

/** True for an error raised by a system call (as opposed to a programming error or our own). */
export function isSystemError(err: unknown): err is SystemError {
  const e = err as Partial<SystemError> | null;
  return err instanceof Error && typeof e?.errno === "number" && typeof e.code === "string" && typeof e.syscall === "string";
}

/** The OS's description of a system error, e.g. "no space left on device (ENOSPC)". */
export function describeSystemError(err: SystemError): string {
  const text = getSystemErrorMap().get(err.errno)?.[1];
  return text ? `${text} (${err.code})` : err.code;
}

/**
 * Thrown when the file state cannot be read or written because of the OS. `code` is `STATE_IO`;
 * the system error (with its `code`, e.g. ENOSPC) is the `cause`. Not retryable: a full disk or a
 * missing permission does not go away by itself.
 */
export class StateIoError extends Error {
  readonly code = "STATE_IO";
  readonly retryable = false;
  constructor(readonly action: string, readonly path: string, override readonly cause: SystemError) {
    super(`cannot ${action} ${path}: ${describeSystemError(cause)}`, { cause });
    this.name = "StateIoError";
  }
}

/** Runs `fn`; a system error it throws becomes a {@link StateIoError} saying `action` on `path`. */
export async function stateIo<T>(action: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw isSystemError(err) ? new StateIoError(action, path, err) : err;
  }
}
