/**
 * What a failed connection was, told by error codes — never by the wording of a message. Node (and
 * the libraries over it: axios, ws, undici, the Azure SDK) put the OS or OpenSSL code on the error
 * (`code`), often one or two `cause`s down. Providers use this to decide retryability (a TLS
 * verification failure is permanent, a refused connection transient); the CLI uses it to give the
 * right hint.
 */

/**
 * Certificate verification failures: OpenSSL's X509_V_ERR names as Node reports them, and Node's
 * own host-name check. Each is permanent: retrying cannot make a certificate trusted.
 */
export const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_DECRYPT_CERT_SIGNATURE", "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID", "CERT_HAS_EXPIRED", "ERROR_IN_CERT_NOT_BEFORE_FIELD", "ERROR_IN_CERT_NOT_AFTER_FIELD", "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED", "INVALID_CA", "PATH_LENGTH_EXCEEDED", "INVALID_PURPOSE", "CERT_UNTRUSTED", "CERT_REJECTED", "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID", "ERR_TLS_CERT_ALTNAME_FORMAT",
]);

/** Certificates that name another host (the endpoint's host is not among the certificate's names). */
export const TLS_HOSTNAME_CODES: ReadonlySet<string> = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "ERR_TLS_CERT_ALTNAME_FORMAT", "HOSTNAME_MISMATCH"]);

/** Certificates outside their validity period. */
export const TLS_EXPIRY_CODES: ReadonlySet<string> = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERROR_IN_CERT_NOT_BEFORE_FIELD", "ERROR_IN_CERT_NOT_AFTER_FIELD"]);

/**
 * Failures to reach a server at all, or connections lost and timed out: DNS, TCP and timeouts as
 * Node, axios (`ECONNABORTED` is its timeout), undici (`UND_ERR_*`) and the Azure SDK
 * (`REQUEST_SEND_ERROR`) report them. Transient: the server may come back.
 */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ETIMEDOUT", "ESOCKETTIMEDOUT",
  "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "ENETRESET", "EPIPE", "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "REQUEST_SEND_ERROR",
]);

/** Error names (DOMException and Node) of a deadline that passed: an unanswered request. */
const TIMEOUT_NAMES: ReadonlySet<string> = new Set(["TimeoutError"]);

/** `err` followed by its `cause`s (at most 8 deep, cycles cut). */
export function errorChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && out.length < 8 && !out.includes(cur)) {
    out.push(cur);
    cur = typeof cur === "object" ? (cur as { cause?: unknown }).cause : undefined;
  }
  return out;
}

/** The string `code` of one error object, if it has one. */
export function codeOf(err: unknown): string | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** The first code along the cause chain that is in `codes`. */
export function findCode(err: unknown, codes: ReadonlySet<string>): string | undefined {
  for (const e of errorChain(err)) {
    const code = codeOf(e);
    if (code !== undefined && codes.has(code)) return code;
  }
  return undefined;
}

/**
 * The TLS failure code along the chain: a certificate verification failure, or an OpenSSL library
 * error (Node names every one `ERR_SSL_<REASON>`, e.g. `ERR_SSL_WRONG_VERSION_NUMBER` when the
 * endpoint does not speak TLS at all).
 */
export function tlsFailureCode(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    const code = codeOf(e);
    if (code !== undefined && (TLS_VERIFY_CODES.has(code) || code.startsWith("ERR_SSL_"))) return code;
  }
  return undefined;
}

/** The network failure code along the chain (`TimeoutError` for a deadline that passed), if any. */
export function networkFailureCode(err: unknown): string | undefined {
  const code = findCode(err, NETWORK_CODES);
  if (code !== undefined) return code;
  for (const e of errorChain(err)) {
    if (e instanceof Error && TIMEOUT_NAMES.has(e.name)) return e.name;
  }
  return undefined;
}
