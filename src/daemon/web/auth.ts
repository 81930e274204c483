import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The cookie a browser gets after giving the token on the sign-in page. */
export const SESSION_COOKIE = "vmsync_session";

function same(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * The session cookie's value for `token`: an HMAC of a fixed label, so the cookie proves the token
 * was given without holding it (the token itself is never stored in the browser or echoed).
 */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("vmsync status page session v1").digest("base64url");
}

/** True when the request carries the bearer token (`Authorization: Bearer …`) or the session cookie. */
export function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  if (bearer !== undefined && same(bearer, token)) return true;
  const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return cookie !== undefined && same(cookie.slice(SESSION_COOKIE.length + 1), sessionValue(token));
}

/** True when `given` is the token (constant time). */
export function tokenMatches(given: string, token: string): boolean {
  return same(given, token);
}

/** True for hosts that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}
