/**
 * Error classification (reference §8): which middleware failures are transient and which are
 * permanent, and how they become `ProviderError`s whose message starts with what was being done
 * and keeps TrueNAS's own text. Secrets never reach these messages: callers pass only method
 * names and TrueNAS's reasons, and TrueNAS does not echo passwords or keys in its errors.
 */
import { ProviderError } from "../contract.js";
import { tlsFailureCode } from "../net-errors.js";
import type { WireError } from "./wire.js";

/** errno values the classification needs (Linux errno plus the middleware's own 2xx codes). */
export const ERRNO = { ENOENT: 2, EAGAIN: 11, EACCES: 13, EBUSY: 16, EEXIST: 17, ETOOMANYREFS: 109, EREMOTENODEERROR: 204, ENOTAUTHENTICATED: 207, EHAUNAVAILABLE: 210 } as const;

/** A failed middleware call: a `ProviderError` that keeps the decoded wire error for callers that inspect it. */
export class TruenasCallError extends ProviderError {
  constructor(
    message: string,
    readonly wire: WireError,
    options: { code: string; retryable: boolean; cause?: unknown },
  ) {
    super(message, options);
    this.name = "TruenasCallError";
  }
}

/** True when the call was refused before it ran (safe to repeat, even for a write). */
export function refusedBeforeRunning(e: WireError): boolean {
  return e.rpcCode === -32000 || e.errno === ERRNO.ETOOMANYREFS || (e.errno === ERRNO.EBUSY && !e.validation) || sessionExpired(e);
}

/** True when the session is no longer logged in (ENOTAUTHENTICATED, or 25.x EACCES "Session is expired"). */
export function sessionExpired(e: WireError): boolean {
  return e.errno === ERRNO.ENOTAUTHENTICATED || (e.errno === ERRNO.EACCES && /session is expired/i.test(e.reason));
}

/** Transient per §8: concurrency limit, busy/rate limit, expired session, HA unavailability. */
export function isRetryable(e: WireError): boolean {
  return refusedBeforeRunning(e) || e.errno === ERRNO.EHAUNAVAILABLE || e.errno === ERRNO.EREMOTENODEERROR;
}

/**
 * True when the error says the object does not exist: errno ENOENT, a validation triple with
 * errno 2 (InstanceNotFound, reported by JSON-RPC as EINVAL with an "[ENOENT]" reason).
 */
export function isNotFound(err: unknown): boolean {
  const e = err instanceof TruenasCallError ? err.wire : undefined;
  if (!e) return false;
  if (e.errno === ERRNO.ENOENT || e.reason.includes("[ENOENT]")) return true;
  return Array.isArray(e.extra) && e.extra.some((t) => Array.isArray(t) && t[2] === ERRNO.ENOENT && t[0] === null);
}

/** A stable code for a wire error: the errname, or the JSON-RPC code. */
function codeOf(e: WireError): string {
  if (e.validation) return "TRUENAS_VALIDATION";
  if (e.errname) return `TRUENAS_${e.errname}`;
  if (e.rpcCode !== undefined) return `TRUENAS_RPC_${Math.abs(e.rpcCode)}`;
  return "TRUENAS_ERROR";
}

/** The error a failed call raises: `<method>: <TrueNAS reason>`. */
export function callError(method: string, e: WireError): TruenasCallError {
  return new TruenasCallError(`${method}: ${e.reason.trim()}`, e, { code: codeOf(e), retryable: isRetryable(e) });
}

/**
 * The socket went away or never opened: transient, except when the server's certificate failed
 * verification (told by the cause's code), which no retry can fix.
 */
export function transportError(detail: string, cause?: unknown): ProviderError {
  if (tlsFailureCode(cause)) return new ProviderError(`TLS verification failed: ${detail}`, { code: "TRUENAS_TLS", retryable: false, cause });
  return new ProviderError(`connection lost: ${detail}`, { code: "TRUENAS_TRANSPORT", retryable: true, cause });
}

/** Re-raises `err` with `action` ("cannot create truenas vm web_1") in front, keeping code and retryability. */
export function withAction(action: string, err: unknown): ProviderError {
  if (err instanceof TruenasCallError) return new TruenasCallError(`${action}: ${err.message}`, err.wire, { code: err.code, retryable: err.retryable, cause: err });
  if (err instanceof ProviderError) return new ProviderError(`${action}: ${err.message}`, { code: err.code, retryable: err.retryable, cause: err });
  const e = err as { message?: string; code?: unknown; retryable?: unknown };
  return new ProviderError(`${action}: ${e?.message ?? String(err)}`, { code: typeof e?.code === "string" ? e.code : "TRUENAS_ERROR", retryable: e?.retryable === true, cause: err });
}

/** Runs `fn`, prefixing any failure with `action`. */
export async function doing<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withAction(action, err);
  }
}
