/**
 * Conditions vmsync understands, told apart by error types and codes along the `cause` chain —
 * never by the wording of a message: certificate failures (OpenSSL/Node codes), refused
 * credentials (HTTP 401/403, the providers' auth codes, @azure/identity's error types), unreachable
 * servers (DNS/TCP/timeout codes), the operating system refusing a file operation (ENOSPC, EACCES,
 * EROFS, …) and vmsync's own errors (a string `code` and a boolean `retryable`; one that carries
 * its own `hint`, such as a guest's SSH failure, is told by that first). Each gets a hint saying
 * what to do. Anything else is a programming error: a bug.
 */
import { dirname } from "node:path";
import { errorChain, findCode, networkFailureCode, tlsFailureCode, TLS_EXPIRY_CODES, TLS_HOSTNAME_CODES } from "../providers/net-errors.js";
import { isSystemError, type SystemError } from "../state/state-io-error.js";

/** A condition vmsync understands: what happened (the error's own message) and what to do. */
export interface KnownFailure {
  kind: "tls" | "credentials" | "unreachable" | "filesystem" | "known";
  message: string;
  hint?: string;
}

/** Codes our providers give a refused login (HTTP status aside). */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  "TRUENAS_AUTH", "TRUENAS_ENOTAUTHENTICATED", "TRUENAS_EACCES",
  "AuthenticationFailed", "InvalidAuthenticationToken", "InvalidAuthenticationTokenAudience", "InvalidAuthenticationTokenTenant", "ExpiredAuthenticationToken", "AuthorizationFailed",
]);

/** @azure/identity's error types (its credentials found nothing to log in with, or were refused). */
const CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError"]);

/** The HTTP status an error along the chain carries (`status` of our provider errors, `statusCode` of the Azure SDK's). */
function httpStatus(err: unknown): number | undefined {
  for (const e of errorChain(err)) {
    if (typeof e !== "object" || e === null) continue;
    const { status, statusCode } = e as { status?: unknown; statusCode?: unknown };
    if (typeof status === "number" && status > 0) return status;
    if (typeof statusCode === "number" && statusCode > 0) return statusCode;
  }
  return undefined;
}

function isOurError(err: unknown): err is Error & { code: string; retryable: boolean; hint?: unknown } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "string" && typeof (err as { retryable?: unknown }).retryable === "boolean";
}

function tlsHint(code: string): string {
  if (TLS_HOSTNAME_CODES.has(code)) {
    return "The server's certificate does not name the host in spec.endpoint: use a host name the certificate carries, or set spec.tls.serverName to one. vmsync never turns certificate verification off.";
  }
  if (TLS_EXPIRY_CODES.has(code)) return "The server's certificate is outside its validity period: renew it (or check this machine's clock).";
  if (code.startsWith("ERR_SSL_")) return "The TLS handshake failed: check that spec.endpoint is the API's https:// (or wss://) address and port.";
  return "The server's certificate is not trusted: put the CA that signed it (or the self-signed certificate itself) in a PEM file and point spec.tls.caFile of the Provider at it. vmsync never turns certificate verification off.";
}

const CREDENTIALS_HINT =
  "Check spec.auth of the Provider: the token, API key or password must be current, and the environment variable or file it names must hold it. " +
  "A 403 means the credentials are valid but lack a permission vmsync needs.";

const UNREACHABLE_HINT =
  "Check spec.endpoint (host and port), that the service is running, and that this machine can reach it (DNS, firewall, VPN, proxy). Run again when it is back.";

/** Conditions of a whole filesystem: the hint names the folder rather than the (temporary) file. */
const FOLDER_WIDE: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EROFS"]);

function filesystemHint(sys: SystemError, where: string | undefined): string | undefined {
  const place = where ?? "the file";
  switch (sys.code) {
    case "ENOSPC":
    case "EDQUOT":
      return `The filesystem holding ${place} is full (or your quota is used up): free some space and run the command again. State is written atomically, so the last saved state is intact; anything created before the failure carries vmsync's marker and is adopted by the next run.`;
    case "EROFS":
      return `${place} is on a read-only filesystem: run vmsync from a writable copy of the manifests, or keep the state in PostgreSQL (--state postgres://…).`;
    case "EACCES":
    case "EPERM":
      return `vmsync may not read or write ${place}: run it as the user who owns that folder, or give that user access (vmsync keeps .vmsync/ at mode 0700 and its files at 0600).`;
    case "EMFILE":
    case "ENFILE":
      return "Too many open files: raise the limit (ulimit -n) or lower --parallelism.";
    case "EIO":
      return `The disk reported an I/O error on ${place}: check the device before running vmsync again.`;
    case "ENOENT":
    case "ENOTDIR":
    case "EISDIR":
      return `Check the path ${place}.`;
    default:
      return undefined;
  }
}

/**
 * What `err` is, when it is a condition vmsync understands (see the module comment); undefined for
 * a programming error. The message is the outermost error's, which says what vmsync was doing.
 */
export function describeFailure(err: unknown): KnownFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  const message = err.message;
  // an error of ours that says what to do about itself comes first: a refused TCP connection to a
  // guest over SSH is about the guest's address, not the Provider's spec.endpoint
  const own = errorChain(err).find((e): e is Error & { hint: string } => isOurError(e) && typeof e.hint === "string" && e.hint !== "");
  if (own) return { kind: "known", message, hint: own.hint };
  const tls = tlsFailureCode(err);
  if (tls) return { kind: "tls", message, hint: tlsHint(tls) };
  const status = httpStatus(err);
  const credentials = status === 401 || status === 403 || findCode(err, CREDENTIAL_CODES) !== undefined || errorChain(err).some((e) => e instanceof Error && CREDENTIAL_ERROR_NAMES.has(e.name));
  if (credentials) return { kind: "credentials", message, hint: CREDENTIALS_HINT };
  if (networkFailureCode(err)) return { kind: "unreachable", message, hint: UNREACHABLE_HINT };
  const sys = errorChain(err).find(isSystemError);
  if (sys) {
    // a system error is the environment refusing something, never a programming error
    const path = (errorChain(err).find((e) => typeof (e as { path?: unknown }).path === "string") as { path: string } | undefined)?.path;
    const where = path && FOLDER_WIDE.has(sys.code) ? dirname(path) : path;
    const hint = filesystemHint(sys, where);
    return { kind: "filesystem", message, ...(hint ? { hint } : {}) };
  }
  if (isOurError(err)) return { kind: "known", message };
  return undefined;
}
