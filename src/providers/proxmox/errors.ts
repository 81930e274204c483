import { ProviderError } from "../contract.js";
import { codeOf, errorChain, tlsFailureCode } from "../net-errors.js";

/**
 * Proxmox error classification. PVE has no error codes: a handler `die` is an HTTP 500 whose reason
 * phrase is the message, and task failures only carry an exit-status text. So the few transient
 * conditions PVE reports are recognised by their (stable, documented) texts; everything else is
 * permanent. Transient: per-guest/storage flock timeouts (`can't lock file … got timeout`), a config
 * `lock` still held (`VM is locked (…)`, `CT is locked (…)`), fork failures (`got no worker upid`), NFS storage not yet
 * online, proxy errors 502/503/504/595/596/599 and network errors (not TLS verification failures).
 */
const TRANSIENT_TEXT = [/can't lock file .* got timeout/i, /\bgot timeout\b/i, /(VM|CT) is locked \(/i, /got no worker upid/i, /storage '[^']*' is not online/i];
const TRANSIENT_STATUS = new Set([502, 503, 504, 595, 596, 599]);

/** True when a PVE error text (reason phrase, message or task exit status) names a transient condition. */
export function isTransientText(text: string): boolean {
  return TRANSIENT_TEXT.some((re) => re.test(text));
}

/** True when the text says the guest or object does not exist (PVE answers missing guests with 500). */
export function isNotFoundText(text: string): boolean {
  return /does not exist|no such (vm|resource|storage|task)|not found/i.test(text);
}

/** What one failed API request was: kept so that operation errors can name the request. */
export interface RequestInfo {
  method: string;
  /** Path below `/api2/json`, without query string (never holds a secret). */
  path: string;
}

/**
 * A failed request to the Proxmox API: HTTP status (0 for network errors), the server's own text
 * (reason phrase and body message, with per-field parameter errors appended) and the request.
 * `retryable` follows the rules above.
 */
export class ProxmoxApiError extends ProviderError {
  readonly status: number;
  readonly detail: string;
  readonly request: RequestInfo;
  constructor(request: RequestInfo, status: number, detail: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    const retryable = options.retryable ?? (TRANSIENT_STATUS.has(status) || isTransientText(detail));
    super(`${request.method} ${request.path}: ${status ? `${status} ` : ""}${detail}`, {
      code: status ? `PROXMOX_HTTP_${status}` : "PROXMOX_NETWORK",
      retryable,
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.name = "ProxmoxApiError";
    this.status = status;
    this.detail = detail;
    this.request = request;
  }

  /** True when the server said the addressed object does not exist. */
  get notFound(): boolean {
    return isNotFoundText(this.detail);
  }
}

/** A UPID task that ended with an error exit status; the exit status text is the message. */
export class ProxmoxTaskError extends ProviderError {
  readonly exitStatus: string;
  readonly request: RequestInfo;
  constructor(request: RequestInfo, upid: string, exitStatus: string) {
    super(`${request.method} ${request.path}: task ${taskType(upid)} failed: ${exitStatus}`, { code: "PROXMOX_TASK_FAILED", retryable: isTransientText(exitStatus) });
    this.name = "ProxmoxTaskError";
    this.exitStatus = exitStatus;
    this.request = request;
  }
}

function taskType(upid: string): string {
  return upid.split(":")[5] ?? "task";
}

/** Builds the error of a non-2xx HTTP answer from its reason phrase and JSON body. */
export function httpError(request: RequestInfo, status: number, statusText: string, body: unknown): ProxmoxApiError {
  const b = (typeof body === "object" && body !== null ? body : {}) as { message?: unknown; errors?: unknown };
  let text = typeof b.message === "string" && b.message.trim() ? b.message.trim() : statusText.trim();
  if (!text) text = status === 401 ? "authentication failed" : "error";
  if (typeof b.errors === "object" && b.errors !== null) {
    const fields = Object.entries(b.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v).trim()}`);
    if (fields.length) text = `${text} (${fields.join("; ")})`;
  }
  return new ProxmoxApiError(request, status, text.replace(/\s*\n\s*/g, " "));
}

/**
 * Builds the error of a request that got no HTTP answer. TLS failures (told by their codes) are
 * permanent, and so is a cancellation; everything else (refused, reset, timed out) is transient.
 */
export function networkError(request: RequestInfo, err: unknown): ProxmoxApiError {
  const e = err as { message?: string };
  const tls = tlsFailureCode(err);
  const code = tls ?? errorChain(err).map(codeOf).find((c) => c !== undefined) ?? "";
  const text = `${e.message ?? String(err)}${code && !(e.message ?? "").includes(code) ? ` (${code})` : ""}`;
  return new ProxmoxApiError(request, 0, tls ? `TLS verification failed: ${text}` : text, { cause: err, retryable: !tls && code !== "ERR_CANCELED" });
}

/**
 * Re-raises `err` with the operation in front, keeping the request and PVE's text:
 * `cannot create proxmox vm web-1 (POST /nodes/pve1/qemu): 400 Parameter verification failed. (…)`.
 * `retryable` and `code` are kept.
 */
export function withContext(what: string, err: unknown): ProviderError {
  if (err instanceof ProxmoxApiError) {
    return new ProviderError(`cannot ${what} (${err.request.method} ${err.request.path}): ${err.status ? `${err.status} ` : ""}${err.detail}`, { code: err.code, retryable: err.retryable, cause: err });
  }
  if (err instanceof ProxmoxTaskError) {
    return new ProviderError(`cannot ${what} (${err.request.method} ${err.request.path}): task failed: ${err.exitStatus}`, { code: err.code, retryable: err.retryable, cause: err });
  }
  if (err instanceof ProviderError) return new ProviderError(`cannot ${what}: ${err.message}`, { code: err.code, retryable: err.retryable, cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(`cannot ${what}: ${message}`, { code: "PROXMOX_ERROR", retryable: false, cause: err });
}

/** Runs `fn`, turning any failure into a `withContext(what, …)` error. */
export async function inContext<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withContext(what, err);
  }
}
