import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { sleep } from "../knobs.js";
import { handleAdmin } from "./admin.js";
import type { SimContext } from "./context.js";
import { PveError } from "./errors.js";
import { pickFault } from "./faults.js";
import { mergePathParams, readBody, requestParams } from "./request-body.js";
import { Reply, type RequestContext, type Router } from "./router.js";
import type { Caller } from "./tasks.js";

const API_PREFIX = "/api2/json";

/** HTTP reason phrases must be printable ASCII on one line. */
function reason(text: string): string {
  return (text.split("\n")[0] ?? "").replace(/[^\x20-\x7e\t]/g, "?").slice(0, 512) || "error";
}

function send(req: IncomingMessage, res: ServerResponse, status: number, statusText: string, body: unknown, headers: Record<string, string> = {}): void {
  let payload: Buffer = Buffer.from(body === undefined ? "" : JSON.stringify(body));
  const h: Record<string, string> = { Server: "pve-api-daemon/3.0", "Cache-Control": "max-age=0", Pragma: "no-cache", Expires: new Date().toUTCString(), ...headers };
  if (body !== undefined) {
    h["Content-Type"] = "application/json;charset=UTF-8";
    if (payload.length > 1024 && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      payload = gzipSync(payload);
      h["Content-Encoding"] = "gzip";
    }
  }
  h["Content-Length"] = String(payload.length);
  res.writeHead(status, reason(statusText), h);
  res.end(payload);
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const e = err instanceof PveError ? err : new PveError(500, `${err instanceof Error ? err.message : String(err)}\n`);
  if (e.bare) {
    send(req, res, e.status, e.message, undefined, { Connection: "close" });
    return;
  }
  const body: Record<string, unknown> = { data: null, message: e.message };
  if (e.errors) body.errors = e.errors;
  send(req, res, e.status, e.message, body);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

async function unauthorized(sim: SimContext, text: string): Promise<never> {
  await sleep(sim.tunables.unauthorizedDelayMs);
  throw new PveError(401, `${text}\n`, undefined, true);
}

/** Resolves the caller of a non-public request, enforcing PVE's cookie/token/CSRF rules. */
async function authenticate(sim: SimContext, req: IncomingMessage, method: string): Promise<Caller> {
  const authz = String(req.headers.authorization ?? "");
  const ticket = cookie(req, "PVEAuthCookie") ?? (/^PVEAuthCookie=(.+)$/.exec(authz)?.[1] ?? undefined);
  if (ticket !== undefined) {
    const user = sim.auth.verifyTicket(ticket);
    if (!user) return unauthorized(sim, "Authentication failed!");
    if (method !== "GET" && !sim.auth.verifyCsrf(req.headers.csrfpreventiontoken as string | undefined, user)) {
      return unauthorized(sim, "Permission denied - invalid csrf token");
    }
    return { user };
  }
  if (/^PVEAPIToken/.test(authz)) {
    const caller = sim.auth.verifyToken(authz);
    if (!caller) return unauthorized(sim, "Authentication failed!");
    return caller;
  }
  return unauthorized(sim, "No ticket");
}

/**
 * The request listener: `/_sim/*` admin paths, then `/api2/json/*` — body parsing, latency, auth,
 * routing (501 for unknown paths), fault injection, handler, and PVE's `{data}` envelope or error shape.
 */
export function createListener(sim: SimContext, router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "https://localhost");
      const method = (req.method ?? "GET").toUpperCase();
      try {
        const body = await readBody(req);
        if (url.pathname.startsWith("/_sim/")) {
          const out = await handleAdmin(sim, method, url.pathname, body);
          send(req, res, 200, "OK", out);
          return;
        }
        if (!url.pathname.startsWith(`${API_PREFIX}/`) && url.pathname !== API_PREFIX) {
          throw new PveError(501, `Method '${method} ${url.pathname}' not implemented\n`);
        }
        const rel = url.pathname.slice(API_PREFIX.length) || "/";
        const raw = requestParams(method, req.headers["content-type"], body, url.searchParams);
        const match = router.match(method, rel);
        sim.requests.count(match ? `${method} /${match.route.segments.join("/")}` : `${method} (no such path)`);
        if (sim.knobs.latencyMs > 0) await sleep(sim.knobs.latencyMs);
        const caller = match?.route.public ? { user: "" } : await authenticate(sim, req, method);
        if (!match) throw new PveError(501, `Method '${method} ${url.pathname}' not implemented\n`);
        const ctx: RequestContext = { sim, method, path: rel, input: mergePathParams(raw, match.params), caller };
        if (!match.route.public) {
          const fault = pickFault(sim, method, rel);
          if (fault?.kind === "http") throw fault.error;
          if (fault?.kind === "task") ctx.injectedTaskFailure = fault.message;
        }
        const result = await match.route.handler(ctx);
        if (result instanceof Reply) send(req, res, 200, "OK", { ...result.extra, data: result.data ?? null }, result.headers);
        else send(req, res, 200, "OK", { data: result ?? null });
      } catch (err) {
        try {
          sendError(req, res, err);
        } catch {
          res.destroy();
        }
      }
    })();
  };
}
