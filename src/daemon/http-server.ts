import { timingSafeEqual, createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebRoutes } from "./web/routes.js";

/** What the HTTP endpoints read from the daemon. */
export interface HttpSources {
  /** Liveness: the process is up and its loop is not wedged. */
  healthy(): boolean;
  /** Readiness: the first reconcile succeeded. */
  ready(): boolean;
  status(): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** A started HTTP server; `url` is `http://host:port`. `close()` ends open connections too. */
export interface DaemonHttp {
  url: string;
  close(): Promise<void>;
}

/** Parses `--listen host:port` (`[::1]:9464`, `:9464` means 127.0.0.1). Throws on a bad value. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([0-9]{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen must be HOST:PORT (e.g. 127.0.0.1:9464), not "${value}"`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

function sameToken(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = createHash("sha256").update(m[1]!.trim()).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * Serves `/healthz`, `/readyz` (open, for probes), and `/metrics` and `/status` (behind the bearer
 * token when one is set), plus the status page's routes (`web`, src/daemon/web/). Only GET/HEAD
 * (and the page's sign-in); loopback by default. Never logs or echoes the token. `close()` ends the
 * page's live streams and every open connection.
 */
export async function startHttpServer(opts: { host: string; port: number; token?: string; sources: HttpSources; web?: WebRoutes }): Promise<DaemonHttp> {
  const send = (res: ServerResponse, code: number, type: string, body: string) => {
    res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (opts.web && (await opts.web.handle(req, res))) return;
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return opts.sources.healthy() ? send(res, 200, "text/plain", "ok\n") : send(res, 503, "text/plain", "unhealthy\n");
    if (path === "/readyz") return opts.sources.ready() ? send(res, 200, "text/plain", "ready\n") : send(res, 503, "text/plain", "not ready: no successful reconcile yet\n");
    if (path !== "/metrics" && path !== "/status") return send(res, 404, "text/plain", "not found\n");
    if (opts.token && !sameToken(req.headers.authorization, opts.token)) {
      res.setHeader("www-authenticate", 'Bearer realm="vmsync"');
      return send(res, 401, "text/plain", "unauthorized\n");
    }
    if (path === "/status") return send(res, 200, "application/json", JSON.stringify(opts.sources.status(), null, 2) + "\n");
    const m = await opts.sources.metrics();
    return send(res, 200, m.contentType, m.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        opts.web?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
