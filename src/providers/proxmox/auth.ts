/**
 * Authentication of API requests. API tokens are stateless (`Authorization: PVEAPIToken=ID=SECRET`,
 * no CSRF). User/password logins get a ticket (cookie `PVEAuthCookie`) and a CSRF token that every
 * non-GET request must carry; both live 2 h on PVE, so the ticket is renewed (by logging in with the
 * current ticket as password) once it is older than `renewAfterMs`, and after a 401 a fresh password
 * login is tried once. Secrets stay in these objects; nothing here logs.
 */

/** Adds credentials to requests. */
export interface RequestAuth {
  /** Headers for a request with `method` (renews a ticket first when it is due). */
  headers(method: string): Promise<Record<string, string>>;
  /** After a 401: logs in again; true when the request is worth repeating once. */
  refresh(): Promise<boolean>;
}

/** API-token authentication. */
export class TokenAuth implements RequestAuth {
  private readonly header: string;
  constructor(tokenId: string, secret: string) {
    this.header = `PVEAPIToken=${tokenId}=${secret}`;
  }
  async headers(): Promise<Record<string, string>> {
    return { Authorization: this.header };
  }
  async refresh(): Promise<boolean> {
    return false;
  }
}

/** A login answer: the ticket and its CSRF prevention token. */
export interface Ticket {
  ticket: string;
  csrf: string;
  obtainedAt: number;
}

/** Calls `POST /access/ticket` without authentication (supplied by the API client). */
export type LoginCall = (username: string, password: string) => Promise<{ ticket: string; CSRFPreventionToken: string }>;

/** Ticket authentication for a user, with renewal before expiry. */
export class TicketAuth implements RequestAuth {
  private current: Ticket | undefined;
  private inflight: Promise<Ticket> | undefined;
  /** Number of logins and renewals made (for tests and metrics). */
  logins = 0;
  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly login: LoginCall,
    private readonly renewAfterMs: number,
  ) {}

  async headers(method: string): Promise<Record<string, string>> {
    const t = await this.ticket();
    const h: Record<string, string> = { Cookie: `PVEAuthCookie=${encodeURIComponent(t.ticket)}` };
    if (method !== "GET") h.CSRFPreventionToken = t.csrf;
    return h;
  }

  async refresh(): Promise<boolean> {
    this.current = undefined;
    await this.single(() => this.fresh(this.password));
    return true;
  }

  private async ticket(): Promise<Ticket> {
    const t = this.current;
    if (t && Date.now() - t.obtainedAt < this.renewAfterMs) return t;
    // renew with the ticket itself while it is still valid; fall back to the password
    return this.single(async () => {
      if (t) {
        try {
          return await this.fresh(t.ticket);
        } catch {
          // expired or rejected: log in again below
        }
      }
      return this.fresh(this.password);
    });
  }

  private single(fn: () => Promise<Ticket>): Promise<Ticket> {
    this.inflight ??= fn().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fresh(password: string): Promise<Ticket> {
    const r = await this.login(this.username, password);
    this.logins++;
    this.current = { ticket: r.ticket, csrf: r.CSRFPreventionToken, obtainedAt: Date.now() };
    return this.current;
  }
}
