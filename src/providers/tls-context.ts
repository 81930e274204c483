import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";

/**
 * A TLS context that trusts the system's root certificates plus `extraCa` (a PEM file's text: the
 * provider's `tls.caFile`), made once per session. Node's documented way — `ca: [...rootCertificates,
 * extra]` — parses all ~140 root certificates again for every context (tens of milliseconds of CPU,
 * for every connection when given per request); adding the extra CA to a default context reuses
 * the roots Node already parsed. Falls back to the documented way where that is not available.
 */
export function contextTrusting(extraCa: string): SecureContext {
  const context = createSecureContext();
  const native = (context as SecureContext & { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== "function") return createSecureContext({ ca: [...rootCertificates, extraCa] });
  native.addCACert(extraCa);
  return context;
}
