/**
 * Middleware exceptions and how each transport encodes them (reference §1.4, §1.5, §8).
 * Method code throws these; the legacy and JSON-RPC transports turn them into wire error objects.
 */
import type { Persona } from "./versions.js";

/** errno values the middleware uses (Linux errno plus its own 2xx codes). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOTEMPTY: 39,
  EOPNOTSUPP: 95,
  ETOOMANYREFS: 109,
  ENOMETHOD: 201,
  ESERVICESTARTFAILURE: 202,
  ENOTAUTHENTICATED: 207,
} as const;

/** The `E…` name of an errno ("EUNKNOWN" when not known). */
export function errname(errno: number): string {
  for (const [name, value] of Object.entries(ERRNO)) if (value === errno) return name;
  return "EUNKNOWN";
}

/** One validation problem: `[attribute, message, errno]`, exactly as it appears in `extra`. */
export type ErrorTriple = [string | null, string, number];

/** `CallError`: a graceful failure with an errno (default EFAULT); `str()` is "[ERRNAME] message". */
export class CallError extends Error {
  constructor(
    readonly errmsg: string,
    readonly errno: number = ERRNO.EFAULT,
    readonly extra: unknown = null,
  ) {
    super(`[${errname(errno)}] ${errmsg}`);
  }
}

/**
 * `ValidationErrors` (a collection) or, with `single`, one `ValidationError` (e.g. InstanceNotFound).
 * The collection encodes as EAGAIN on the legacy transport; a single one as its own errno.
 */
export class ValidationErrors extends Error {
  constructor(
    readonly errors: ErrorTriple[],
    readonly single = false,
  ) {
    super(errors.map((e) => `[${errname(e[2])}] ${e[0] ?? "None"}: ${e[1]}\n`).join(""));
  }
}

/** InstanceNotFound: a single ValidationError with attribute null and errno ENOENT. */
export function instanceNotFound(verbose: string, id: unknown): ValidationErrors {
  return new ValidationErrors([[null, `${verbose} ${String(id)} does not exist`, ERRNO.ENOENT]], true);
}

/** A non-middleware exception (e.g. MatchNotFound): errno EINVAL, reason = its text, no prefix. */
export class GenericError extends Error {}

/** The method (or its service) does not exist in this version. */
export class MethodNotFound extends Error {
  constructor(readonly method: string, readonly serviceExists: boolean) {
    const dot = method.lastIndexOf(".");
    const service = dot > 0 ? method.slice(0, dot) : method;
    super(
      serviceExists
        ? `Method '${method.slice(dot + 1)}' not found in '${service}'`
        : `Service '${service}' not found`,
    );
  }
}

/** More than 20 calls in flight on one connection (§1.3). */
export class TooManyConcurrentCalls extends Error {}

/** A call needing auth on an unauthenticated connection (§2.2). */
export class NotAuthenticated extends Error {}

/** Collects validation errors and throws them together, like the middleware's `verrors`. */
export class Verrors {
  readonly errors: ErrorTriple[] = [];
  add(attribute: string | null, message: string, errno: number = ERRNO.EINVAL): void {
    this.errors.push([attribute, message, errno]);
  }
  get empty(): boolean {
    return this.errors.length === 0;
  }
  /** Throws a ValidationErrors when anything was added. */
  check(): void {
    if (this.errors.length) throw new ValidationErrors([...this.errors]);
  }
}

/** The `trace` object the middleware attaches to errors (a Python traceback imitation). */
function trace(cls: string, reason: string): Record<string, unknown> {
  return {
    class: cls,
    frames: [],
    formatted:
      "Traceback (most recent call last):\n" +
      '  File "/usr/lib/python3/dist-packages/middlewared/main.py", line 208, in call_method\n' +
      "    result = await self.middleware.call_with_audit(message['method'], serviceobj, methodobj, params, self)\n" +
      `middlewared.service_exception.${cls}: ${reason}\n`,
    repr: `${cls}(${JSON.stringify(reason)})`,
  };
}

/** The middleware's `TrueNASError` payload common to both transports. */
interface ErrorBody {
  error: number;
  errname: string;
  reason: string;
  trace: Record<string, unknown> | null;
  extra: unknown;
}

function body(err: unknown, p: Persona): { body: ErrorBody; validation: boolean } | null {
  if (err instanceof ValidationErrors) {
    const errno = err.single ? (err.errors[0]?.[2] ?? ERRNO.EINVAL) : ERRNO.EAGAIN;
    return {
      validation: true,
      body: {
        error: errno,
        errname: errname(errno),
        reason: err.single ? err.message.replace(/\n$/, "") : err.message,
        trace: trace(err.single ? "ValidationError" : "ValidationErrors", err.message),
        extra: err.errors,
      },
    };
  }
  if (err instanceof CallError) {
    return {
      validation: false,
      body: { error: err.errno, errname: errname(err.errno), reason: err.message, trace: trace("CallError", err.message), extra: err.extra },
    };
  }
  if (err instanceof NotAuthenticated) {
    const legacy24 = !p.pydantic;
    return {
      validation: false,
      body: {
        error: ERRNO.ENOTAUTHENTICATED,
        errname: "ENOTAUTHENTICATED",
        reason: legacy24 ? "Not authenticated" : "[ENOTAUTHENTICATED] Not authenticated",
        trace: legacy24 ? null : trace("CallError", "[ENOTAUTHENTICATED] Not authenticated"),
        extra: null,
      },
    };
  }
  if (err instanceof MethodNotFound) {
    const reason = `[ENOMETHOD] ${err.message}`;
    return { validation: false, body: { error: ERRNO.ENOMETHOD, errname: "ENOMETHOD", reason, trace: trace("CallError", reason), extra: null } };
  }
  if (err instanceof TooManyConcurrentCalls) return null;
  const reason = err instanceof Error ? err.message || `${err.name}()` : String(err);
  return { validation: false, body: { error: ERRNO.EINVAL, errname: "EINVAL", reason, trace: trace(err instanceof Error ? err.name : "Exception", reason), extra: null } };
}

/** Legacy `/websocket` error object: `{error, errname, type, reason, trace, extra}`. */
export function legacyError(err: unknown, p: Persona): Record<string, unknown> {
  if (err instanceof TooManyConcurrentCalls) {
    return {
      error: ERRNO.ETOOMANYREFS,
      errname: "ETOOMANYREFS",
      type: null,
      reason: "Maximum number of concurrent calls (20) has exceeded.",
      trace: null,
      extra: null,
    };
  }
  const b = body(err, p)!;
  return { error: b.body.error, errname: b.body.errname, type: b.validation ? "VALIDATION" : null, reason: b.body.reason, trace: b.body.trace, extra: b.body.extra };
}

/** JSON-RPC `error` member: `{code, message, data?}` with the codes of §1.5. */
export function jsonRpcError(err: unknown, p: Persona): Record<string, unknown> {
  if (err instanceof TooManyConcurrentCalls) return { code: -32000, message: "Maximum number of concurrent calls (20) has exceeded" };
  if (err instanceof MethodNotFound) return { code: -32601, message: "Method does not exist" };
  const b = body(err, p)!;
  if (b.validation) {
    return { code: -32602, message: "Invalid params", data: { ...b.body, error: ERRNO.EINVAL, errname: "EINVAL" } };
  }
  return { code: -32001, message: "Method call error", data: b.body };
}

/** What a failed job records (`error`, `exception`, `exc_info`) for an exception (§3.2). */
export function jobFailure(err: unknown): { error: string; exception: string; exc_info: Record<string, unknown> } {
  if (err instanceof ValidationErrors) {
    return {
      error: err.message,
      exception: String(trace("ValidationErrors", err.message).formatted),
      exc_info: { repr: `ValidationErrors(${JSON.stringify(err.errors)})`, type: "VALIDATION", errno: err.single ? (err.errors[0]?.[2] ?? null) : null, extra: err.errors },
    };
  }
  if (err instanceof CallError) {
    return {
      error: err.message,
      exception: String(trace("CallError", err.message).formatted),
      exc_info: { repr: `CallError(${JSON.stringify(err.errmsg)})`, type: "CallError", errno: err.errno, extra: err.extra },
    };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { error: msg, exception: msg, exc_info: { repr: msg, type: "Exception", errno: null, extra: null } };
}
