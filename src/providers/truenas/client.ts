/**
 * The TrueNAS API client of one session: ONE websocket at a time, calls correlated by request id,
 * at most `MAX_IN_FLIGHT` in flight and `rateLimit` per second, reconnect and re-login when the
 * socket drops or the session expires, and middleware jobs awaited through `core.get_jobs`
 * events with polling as a fallback.
 *
 * Retry rules (reference §8): a call the server refused before running it (too many concurrent
 * calls, busy, not authenticated / session expired) is repeated here, writes included. A call whose
 * socket dropped is repeated only when `idempotent` (reads); for a write the transient error goes
 * up, and the operation above re-observes before trying again, so nothing is done twice.
 */
import type { ConnectOptions } from "../contract.js";
import { ProviderError } from "../contract.js";
import { Connection, NoSuchEndpointError, type TlsOptions } from "./connection.js";
import { callError, refusedBeforeRunning, sessionExpired, TruenasCallError } from "./errors.js";
import { MAX_IN_FLIGHT, pause, RateLimiter, Semaphore } from "./limits.js";
import { TRANSPORT_PATH, type Frame, type Transport, type WireError } from "./wire.js";

/** How to log in: an API key, or a user and password. Held only in memory, never logged. */
export type Credentials = { apiKey: string } | { username: string; password: string };

/** Everything the client needs; built from the Provider manifest by session.ts. */
export interface ClientConfig {
  /** Provider name, for onRequest and messages. */
  name: string;
  /** `wss://host[:port]` (no path). */
  base: string;
  transport: "auto" | Transport;
  tls: TlsOptions;
  credentials: Credentials;
  /** Requests per second. */
  rateLimit: number;
  onRequest?: ConnectOptions["onRequest"];
}

/** Attempts of one call whose failure is known to be harmless to repeat. */
const CALL_ATTEMPTS = 6;
const FINAL = new Set(["SUCCESS", "FAILED", "ABORTED"]);

/** A logged-in API client; see the module comment for its guarantees. */
export class TruenasClient {
  transport: Transport = "jsonrpc";
  /** `system.version`, e.g. "TrueNAS-SCALE-24.10.2" or "TrueNAS-25.10.1". */
  versionString = "";
  private conn: Connection | null = null;
  private ready: Promise<Connection> | null = null;
  private authed = false;
  private closed = false;
  private readonly sem = new Semaphore(MAX_IN_FLIGHT);
  private readonly rate: RateLimiter;
  private readonly jobs = new Map<number, Record<string, unknown>>();
  private readonly jobWaiters = new Set<() => void>();

  private constructor(private readonly cfg: ClientConfig) {
    this.rate = new RateLimiter(cfg.rateLimit);
  }

  /**
   * Opens the session: connects (choosing the transport), logs in and reads `system.version`. When
   * any of that fails the socket is closed before the error goes up (a refused login leaves no open
   * socket holding the process).
   */
  static async connect(cfg: ClientConfig): Promise<TruenasClient> {
    const c = new TruenasClient(cfg);
    c.transport = cfg.transport === "auto" ? "jsonrpc" : cfg.transport;
    try {
      try {
        await c.live();
      } catch (err) {
        if (!(err instanceof NoSuchEndpointError) || cfg.transport !== "auto") {
          if (err instanceof NoSuchEndpointError) throw new ProviderError(`${cfg.base} has no JSON-RPC API (/api/current, TrueNAS 25.04+); use transport: legacy or auto`, { code: "TRUENAS_NO_JSONRPC", retryable: false, cause: err });
          throw err;
        }
        c.transport = "legacy";
        await c.live();
      }
      c.versionString = String(await c.call("system.version", [], { idempotent: true }));
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** Calls a method; see the module comment for what is retried. */
  async call<T = unknown>(method: string, params: unknown[] = [], opts: { idempotent?: boolean } = {}): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(Math.min(1000, 25 * 2 ** attempt));
      let conn: Connection;
      try {
        conn = await this.live();
      } catch (err) {
        last = err;
        if ((err as ProviderError).retryable) continue;
        throw err;
      }
      await this.rate.take();
      await this.sem.acquire();
      const t0 = Date.now();
      try {
        const result = (await conn.call(method, params)) as T;
        this.report(method, t0);
        return result;
      } catch (err) {
        last = err;
        this.report(method, t0, err);
        if (err instanceof TruenasCallError) {
          if (sessionExpired(err.wire)) this.authed = false;
          if (refusedBeforeRunning(err.wire)) continue;
          throw err;
        }
        if ((err as ProviderError).code === "TRUENAS_TRANSPORT" && opts.idempotent && !this.closed) continue;
        throw err;
      } finally {
        this.sem.release();
      }
    }
    throw last;
  }

  /** Runs a job method (legacy job flow: the call returns the job id) and resolves the job's result. */
  async job<T = unknown>(method: string, params: unknown[], signal?: AbortSignal): Promise<T> {
    const id = await this.call<unknown>(method, params);
    if (typeof id !== "number") return id as T;
    let misses = 0;
    for (;;) {
      let job = this.jobs.get(id);
      if (!job) {
        const rows = await this.call<Array<Record<string, unknown>>>("core.get_jobs", [[["id", "=", id]]], { idempotent: true });
        job = rows[0];
        // the job vanished (the middleware restarted): its outcome is unknown, so the operation is
        // retried — every operation re-reads the server before acting, so a retry never repeats work
        if (!job && ++misses >= 5) throw new ProviderError(`${method}: job ${id} disappeared before it finished (did the middleware restart?); its outcome is unknown`, { code: "TRUENAS_JOB_LOST", retryable: true });
      }
      if (job && FINAL.has(String(job.state))) {
        this.jobs.delete(id);
        if (job.state === "SUCCESS") return job.result as T;
        throw callError(method, jobError(job));
      }
      if (signal?.aborted) throw new ProviderError(`${method}: cancelled while waiting for job ${id}`, { code: "CANCELLED", retryable: false });
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.jobWaiters.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, 250);
        this.jobWaiters.add(wake);
      });
    }
  }

  /** Closes the socket; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
  }

  /** A connected, logged-in socket (single flight: concurrent callers share one reconnect). */
  private live(): Promise<Connection> {
    if (this.closed) return Promise.reject(new ProviderError("the TrueNAS session is closed", { code: "TRUENAS_CLOSED", retryable: false }));
    if (this.conn?.alive && this.authed) return Promise.resolve(this.conn);
    this.ready ??= this.open().finally(() => (this.ready = null));
    return this.ready;
  }

  private async open(): Promise<Connection> {
    if (!this.conn?.alive) {
      this.authed = false;
      this.conn = await Connection.open(this.cfg.base, this.transport, this.cfg.tls, (f) => this.onEvent(f));
    }
    const conn = this.conn;
    const creds = this.cfg.credentials;
    const t0 = Date.now();
    const [method, params] = "apiKey" in creds ? ["auth.login_with_api_key", [creds.apiKey]] : ["auth.login", [creds.username, creds.password]];
    let ok: unknown;
    try {
      ok = await conn.call(method as string, params as unknown[]);
      this.report(method as string, t0);
    } catch (err) {
      this.report(method as string, t0, err);
      throw err;
    }
    if (ok !== true) throw new ProviderError(`TrueNAS refused the ${"apiKey" in creds ? "API key" : `password of user ${creds.username}`}`, { code: "TRUENAS_AUTH", retryable: false });
    this.authed = true;
    await this.subscribeJobs(conn);
    return conn;
  }

  /**
   * Subscribes to job events, repeating a call the server refused before running it (busy, too many
   * calls). Job events only speed up waiting: when the subscription cannot be made, jobs are still
   * awaited by polling, so it never fails the session (found by the fault soak: a busy answer here
   * failed the whole connect).
   */
  private async subscribeJobs(conn: Connection): Promise<void> {
    for (let attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(Math.min(1000, 25 * 2 ** attempt));
      try {
        return await conn.subscribe("core.get_jobs");
      } catch (err) {
        if (!(err instanceof TruenasCallError && refusedBeforeRunning(err.wire))) return;
      }
    }
  }

  private onEvent(f: Extract<Frame, { kind: "event" }>): void {
    if (f.collection !== "core.get_jobs" || !f.fields || !FINAL.has(String(f.fields.state))) return;
    this.jobs.set(Number(f.objectId), f.fields);
    if (this.jobs.size > 500) this.jobs.delete(this.jobs.keys().next().value!);
    for (const w of [...this.jobWaiters]) w();
  }

  private report(method: string, t0: number, err?: unknown): void {
    this.cfg.onRequest?.({ provider: this.cfg.name, method, path: TRANSPORT_PATH[this.transport], ms: Date.now() - t0, ...(err ? { error: (err as Error).message } : {}) });
  }
}

/** The wire error of a failed job (its `exc_info` and `error`). */
function jobError(job: Record<string, unknown>): WireError {
  const info = (job.exc_info ?? {}) as { type?: string; errno?: number | null; extra?: unknown };
  const reason = typeof job.error === "string" && job.error ? job.error : `job ${String(job.id)} ${String(job.state).toLowerCase()}`;
  return { reason, validation: info.type === "VALIDATION", ...(typeof info.errno === "number" ? { errno: info.errno } : {}), ...(info.extra != null ? { extra: info.extra } : {}) };
}
