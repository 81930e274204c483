import { Agent } from "node:https";
import { createSecureContext } from "node:tls";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import type { ConnectOptions } from "../contract.js";
import type { LoginCall, RequestAuth } from "./auth.js";
import { httpError, networkError, ProxmoxApiError, type RequestInfo } from "./errors.js";
import { RateLimiter, sleep } from "./sync.js";

/** Parameter values as PVE takes them: booleans become `1`/`0`, undefined values are left out. */
export type ApiParams = Record<string, string | number | boolean | undefined>;

/** How to reach one Proxmox VE API. */
export interface ApiClientOptions {
  /** `https://host:8006` (the client appends `/api2/json`). */
  endpoint: string;
  /** Extra CA certificates (PEM) to trust; verification is always on. */
  ca?: string;
  /** Name to verify the certificate against, when it differs from the endpoint's host. */
  serverName?: string;
  /** Requests per second. */
  rateLimit: number;
  /** Provider name, for `onRequest`. */
  providerName: string;
  onRequest?: ConnectOptions["onRequest"];
  /** Per-request timeout, ms (default 60 s). */
  timeoutMs?: number;
}

/** Per-call options: cancellation, and how often a transient failure is retried in place (default 4). */
export interface CallOptions {
  signal?: AbortSignal;
  retries?: number;
}

/**
 * A thin Proxmox VE API client over axios with an HTTPS keep-alive agent (idle sockets dropped after
 * 4 s, before pveproxy's 5 s keep-alive timeout closes them under us). Every request is rate limited,
 * authenticated, reported to `onRequest` (method, path without query, status, ms — never a secret),
 * unwrapped from PVE's `{data}` envelope, and on failure raises a `ProxmoxApiError` carrying PVE's
 * own text. Transient failures are retried in place with backoff (the operations built on top are
 * idempotent: they re-check what exists before repeating a create). A GET asked for while the same
 * GET (path, query and signal) is in flight shares that request — observe and the capacity read list
 * the same nodes at the same moment — and each caller gets its own copy of the answer. The TLS
 * context (trusting only `ca` when given, as before) is made once, not for every new socket.
 */
export class ProxmoxApi {
  private readonly http: AxiosInstance;
  private readonly agent: Agent;
  private readonly limiter: RateLimiter;
  private auth: RequestAuth | undefined;
  private readonly inFlight = new Map<string, { signal: AbortSignal | undefined; answer: Promise<unknown> }>();

  constructor(private readonly opts: ApiClientOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, timeout: 4000, ...(opts.ca ? { secureContext: createSecureContext({ ca: opts.ca }) } : {}), ...(opts.serverName ? { servername: opts.serverName } : {}) });
    this.http = axios.create({
      baseURL: `${opts.endpoint.replace(/\/+$/, "")}/api2/json`,
      httpsAgent: this.agent,
      validateStatus: () => true,
      timeout: opts.timeoutMs ?? 60_000,
      maxRedirects: 0,
      proxy: false,
    });
    this.limiter = new RateLimiter(opts.rateLimit);
  }

  /** Sets how requests authenticate. */
  setAuth(auth: RequestAuth): void {
    this.auth = auth;
  }

  /** `POST /access/ticket` without credentials, for `TicketAuth`. */
  readonly login: LoginCall = async (username, password) =>
    (await this.call("POST", "/access/ticket", { username, password }, { retries: 2 }, false)) as { ticket: string; CSRFPreventionToken: string };

  get<T = unknown>(path: string, params?: ApiParams, opts?: CallOptions): Promise<T> {
    const key = params ? `${path}?${encode(params).toString()}` : path;
    const same = this.inFlight.get(key);
    if (same && same.signal === opts?.signal) return same.answer.then((v) => structuredClone(v)) as Promise<T>;
    const answer = this.call("GET", path, params, opts);
    const entry = { signal: opts?.signal, answer };
    this.inFlight.set(key, entry);
    const done = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    answer.then(done, done);
    return answer as Promise<T>;
  }
  post<T = unknown>(path: string, params?: ApiParams, opts?: CallOptions): Promise<T> {
    return this.call("POST", path, params, opts) as Promise<T>;
  }
  put<T = unknown>(path: string, params?: ApiParams, opts?: CallOptions): Promise<T> {
    return this.call("PUT", path, params, opts) as Promise<T>;
  }
  delete<T = unknown>(path: string, params?: ApiParams, opts?: CallOptions): Promise<T> {
    return this.call("DELETE", path, params, opts) as Promise<T>;
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private async call(method: string, path: string, params: ApiParams | undefined, opts: CallOptions = {}, authenticate = true): Promise<unknown> {
    const request: RequestInfo = { method, path };
    const retries = opts.retries ?? 4;
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(request, params, opts.signal, authenticate);
      } catch (err) {
        if (err instanceof ProxmoxApiError && err.status === 401 && authenticate && !reauthed && this.auth) {
          reauthed = true;
          if (await this.auth.refresh()) continue;
        }
        if (!(err instanceof ProxmoxApiError) || !err.retryable || attempt >= retries || opts.signal?.aborted) throw err;
        await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2), opts.signal);
      }
    }
  }

  private async once(request: RequestInfo, params: ApiParams | undefined, signal: AbortSignal | undefined, authenticate: boolean): Promise<unknown> {
    await this.limiter.take();
    const headers = authenticate && this.auth ? await this.auth.headers(request.method) : {};
    const encoded = encode(params);
    const started = Date.now();
    let res: AxiosResponse;
    try {
      res = await this.http.request({
        method: request.method,
        url: request.path,
        headers,
        ...(request.method === "GET" || request.method === "DELETE" ? { params: encoded } : { data: encoded }),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      const e = networkError(request, err);
      this.report(request, undefined, started, e.detail);
      throw e;
    }
    if (res.status >= 200 && res.status < 300) {
      this.report(request, res.status, started);
      return (res.data as { data?: unknown } | undefined)?.data ?? null;
    }
    const e = httpError(request, res.status, res.statusText ?? "", res.data);
    this.report(request, res.status, started, e.detail);
    throw e;
  }

  private report(request: RequestInfo, status: number | undefined, started: number, error?: string): void {
    this.opts.onRequest?.({ provider: this.opts.providerName, method: request.method, path: request.path, ...(status !== undefined ? { status } : {}), ms: Date.now() - started, ...(error ? { error } : {}) });
  }
}

function encode(params: ApiParams | undefined): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    out.append(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  return out;
}
