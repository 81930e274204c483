import { createHmac, timingSafeEqual } from "node:crypto";
import type { Caller } from "./tasks.js";

/**
 * PVE authentication: RSA-signed tickets (simulated with HMAC) `PVE:<user>:<8 hex time>::<sig>`,
 * CSRF tokens `<8 hex time>:<sig>` bound to the user, and API tokens
 * `PVEAPIToken=user@realm!id=secret`. Tickets and CSRF tokens are valid `lifetimeMs` (PVE: 2 h) and
 * may be up to 5 min in the future (clock-skew grace).
 */
export class Authenticator {
  constructor(
    private readonly key: string,
    private readonly users: Map<string, string>,
    private readonly tokens: Map<string, string>,
    private readonly lifetimeMs: number,
  ) {}

  /** Checks a login. `password` may also be a valid ticket of the same user (ticket renewal). */
  login(username: string, password: string): boolean {
    const expected = this.users.get(username);
    if (expected !== undefined && safeEqual(expected, password)) return true;
    return this.verifyTicket(password) === username;
  }

  /** Issues a fresh ticket and CSRF token for `user`. */
  issue(user: string): { ticket: string; csrf: string } {
    const t = hex8(Math.floor(Date.now() / 1000));
    const plain = `PVE:${encodeURIComponent(user).replace(/%40/g, "@")}:${t}`;
    return { ticket: `${plain}::${this.sign(plain)}`, csrf: `${t}:${this.sign(`${t}:${user}`)}` };
  }

  /** The user a ticket belongs to, or null when it is malformed, forged or expired. */
  verifyTicket(ticket: string): string | null {
    const m = /^(PVE:([^:\s]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!m || !safeEqual(this.sign(m[1]!), m[4]!)) return null;
    if (!this.fresh(m[3]!)) return null;
    return decodeURIComponent(m[2]!);
  }

  /** True when `token` is a valid, unexpired CSRF prevention token for `user`. */
  verifyCsrf(token: string | undefined, user: string): boolean {
    const m = token ? /^([0-9A-F]{8}):(.+)$/.exec(token) : null;
    if (!m) return false;
    return safeEqual(this.sign(`${m[1]}:${user}`), m[2]!) && this.fresh(m[1]!);
  }

  /** Parses and checks an `Authorization: PVEAPIToken=…` value; null when it is not a valid token. */
  verifyToken(header: string): Caller | null {
    const m = /^PVEAPIToken[= ](.+)$/.exec(header.trim());
    if (!m) return null;
    const value = decodeURIComponent(m[1]!);
    const eq = value.lastIndexOf("=");
    if (eq < 0) return null;
    const tokenFull = value.slice(0, eq);
    const secret = value.slice(eq + 1);
    const expected = this.tokens.get(tokenFull);
    if (expected === undefined || !safeEqual(expected, secret)) return null;
    const bang = tokenFull.indexOf("!");
    return { user: tokenFull.slice(0, bang), tokenid: tokenFull.slice(bang + 1) };
  }

  private fresh(hexTime: string): boolean {
    const age = Date.now() / 1000 - parseInt(hexTime, 16);
    return age < this.lifetimeMs / 1000 && age > -300;
  }

  private sign(text: string): string {
    return createHmac("sha256", this.key).update(text).digest("base64");
  }
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, "0");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
