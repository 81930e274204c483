import { isRestError } from "@azure/core-rest-pipeline";
import { ProviderError } from "../contract.js";
import { NETWORK_CODES } from "../net-errors.js";

/**
 * Error classification for ARM (reference §3, §4, §6). Every failure leaves as a `ProviderError`
 * whose message starts with what was being done and keeps Azure's own code and message:
 * - `RestError` (initial request, a poll or a final GET answered an error status): 408, 429 and 5xx
 *   (but 501/505) are transient and carry `retryAfterMs` from `retry-after-ms`, `x-ms-retry-after-ms`
 *   or `Retry-After` (seconds or an HTTP date); 409 `Conflict` (a concurrent operation on the same
 *   object) and the codes in `TRANSIENT_CODES` are transient too; everything else is permanent.
 * - the plain `Error` both LRO engines throw for a failed operation ("The long-running operation has
 *   failed. CODE. MESSAGE") is parsed for Azure's code and message;
 * - network errors (ECONNRESET, ETIMEDOUT, …) are transient; an abort is permanent (`CANCELLED`).
 */
export const TRANSIENT_CODES = new Set([
  "TooManyRequests", "SubscriptionRequestsThrottled", "ServiceUnavailable", "InternalServerError", "InternalExecutionError",
  "GatewayTimeout", "RetryableError", "AnotherOperationInProgress", "OperationPreempted", "Conflict", "StorageAccountOperationInProgress",
]);

const LRO_FAILED = /^The long-running operation has failed(?:\. ([^.]+)\. ([\s\S]*))?/;

/** Azure's code and message of an LRO failure message, when it is one. */
export function parseLroFailure(message: string): { code: string; message: string } | undefined {
  const m = LRO_FAILED.exec(message);
  if (!m) return undefined;
  return { code: m[1] ?? "OperationFailed", message: m[2]?.trim() || "The long-running operation has failed (Azure gave no reason)." };
}

/** Milliseconds from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function retryAfterMsOf(headers: { get(name: string): string | undefined } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  for (const h of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = Number(headers.get(h));
    if (headers.get(h) !== undefined && Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get("retry-after");
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** True when an error is (or wraps) a 404 from ARM. */
export function isNotFound(err: unknown): boolean {
  if (isRestError(err)) return err.statusCode === 404;
  return err instanceof ProviderError && (err.code === "ResourceNotFound" || err.code === "NotFound" || err.code === "ResourceGroupNotFound" || err.code === "ParentResourceNotFound" || err.code === "HTTP_404");
}

/** Converts anything thrown by an SDK call into a `ProviderError` for "`doing`: …". */
export function toProviderError(doing: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof Error && err.name === "AbortError") return new ProviderError(`${doing}: cancelled`, { code: "CANCELLED", retryable: false, cause: err });
  if (isRestError(err)) {
    const status = err.statusCode;
    const code = err.code ?? (status !== undefined ? `HTTP_${status}` : "REQUEST_FAILED");
    const retryAfterMs = retryAfterMsOf(err.response?.headers);
    const byStatus = status === 408 || status === 429 || (status !== undefined && status >= 500 && status !== 501 && status !== 505);
    const network = status === undefined && NETWORK_CODES.has(String(err.code));
    const retryable = byStatus || network || TRANSIENT_CODES.has(code);
    const prefix = status !== undefined ? `HTTP ${status} ${code}` : code;
    return new ProviderError(`${doing}: ${prefix}: ${err.message}`, { code, retryable, cause: err, ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (err instanceof Error) {
    const lro = parseLroFailure(err.message);
    if (lro) return lroFailed(doing, lro.code, lro.message, err);
    const ecode = (err as NodeJS.ErrnoException).code;
    if (ecode && NETWORK_CODES.has(ecode)) return new ProviderError(`${doing}: ${err.message}`, { code: ecode, retryable: true, cause: err });
    return new ProviderError(`${doing}: ${err.message}`, { code: "AZURE_ERROR", retryable: false, cause: err });
  }
  return new ProviderError(`${doing}: ${String(err)}`, { code: "AZURE_ERROR", retryable: false });
}

/** A failed long-running operation with Azure's code and message; permanent unless the code is transient. */
export function lroFailed(doing: string, code: string, message: string, cause?: unknown): ProviderError {
  return new ProviderError(`${doing}: the operation failed: ${code}: ${message}`, { code, retryable: TRANSIENT_CODES.has(code), cause });
}

/**
 * Checks the result of an LRO that may "succeed" without a resource (reference §4, Location-mode trap:
 * a storage account create whose monitor ends 200 with a failed body resolves with `{}`). Throws a
 * `ProviderError` naming what failed when the result has no id or a non-succeeded state.
 */
export function requireSucceeded<T extends { id?: string; provisioningState?: string }>(doing: string, result: T | undefined, detail?: string): T & { id: string } {
  if (!result || !result.id) {
    throw new ProviderError(`${doing}: Azure reported the operation as finished but returned no resource${detail ? ` (${detail})` : ""}; the operation most likely failed (for storage accounts: check the network rules' subnets have the Microsoft.Storage service endpoint)`, { code: "OperationFailedWithoutResource", retryable: false });
  }
  if (result.provisioningState !== undefined && !/succeeded/i.test(result.provisioningState)) {
    throw new ProviderError(`${doing}: finished in provisioning state ${result.provisioningState}`, { code: `ProvisioningState${result.provisioningState}`, retryable: false });
  }
  return result as T & { id: string };
}

/** Runs `fn`, converting what it throws with `toProviderError(doing, …)`. */
export async function azureCall<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toProviderError(doing, err);
  }
}

/** Runs `fn`; a 404 gives `undefined` instead of an error. */
export async function getOrUndefined<T>(doing: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toProviderError(doing, err);
  }
}
