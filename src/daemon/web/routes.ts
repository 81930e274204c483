import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CSS, STATUS_JS } from "./assets.js";
import { SESSION_COOKIE, authorized, sessionValue, tokenMatches } from "./auth.js";
import { freshness, loginHtml, pageHtml, sectionFragments, type PageData } from "./page.js";
import { SseHub } from "./sse.js";

/** Where the page's data comes from: a snapshot now, and a notification when it changed. */
export interface WebSources {
  data(): Promise<PageData>;
  /** Calls `fn` after every change (a reconcile pass, a schedule run); returns the unsubscribe. */
  subscribe(fn: () => void): () => void;
}

/** The status page's routes on the daemon's HTTP server. */
export interface WebRoutes {
  /** Answers `/`, `/assets/*`, `/events` and `POST /login`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Ends every live stream (shutdown). */
  close(): void;
}

const PAGE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

async function body(req: IncomingMessage, limit = 4096): Promise<string> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > limit) throw new Error("body too large");
  }
  return text;
}

/**
 * The read-only web status page: `/` (the whole page, rendered on the server), `/assets/status.css`
 * and `/assets/status.js`, `/events` (server-sent events: every section again after each change),
 * and `POST /login` (when a token is required, a browser gives it once and gets an HttpOnly,
 * SameSite=Strict session cookie). Nothing here changes anything; nothing shows a secret.
 */
export function createWebRoutes(opts: { token?: string; sources: WebSources }): WebRoutes {
  const hub = new SseHub();
  let version = 0;
  const update = async () => {
    const d = await opts.sources.data();
    return JSON.stringify({ version: ++version, freshness: freshness(d), sections: sectionFragments(d) });
  };
  const unsubscribe = opts.sources.subscribe(() => {
    if (hub.size) void update().then((u) => hub.broadcast("update", u), () => {});
  });
  const send = (res: ServerResponse, code: number, type: string, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(code, { ...PAGE_HEADERS, "content-type": type, ...extra });
    res.end(text);
  };
  return {
    async handle(req, res) {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/assets/status.css") return send(res, 200, "text/css; charset=utf-8", STATUS_CSS), true;
      if (path === "/assets/status.js") return send(res, 200, "text/javascript; charset=utf-8", STATUS_JS), true;
      if (path === "/login" && req.method === "POST") {
        const given = new URLSearchParams(await body(req).catch(() => "")).get("token") ?? "";
        if (!opts.token) return send(res, 303, "text/plain", "", { location: "/" }), true;
        if (!tokenMatches(given, opts.token)) return send(res, 401, "text/html; charset=utf-8", loginHtml(true)), true;
        return send(res, 303, "text/plain", "", { location: "/", "set-cookie": `${SESSION_COOKIE}=${sessionValue(opts.token)}; HttpOnly; SameSite=Strict; Path=/` }), true;
      }
      if (path !== "/" && path !== "/events") return false;
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n"), true;
      if (!authorized(req, opts.token)) {
        if (path === "/events") return send(res, 401, "text/plain", "unauthorized\n", { "www-authenticate": 'Bearer realm="vmsync"' }), true;
        return send(res, 401, "text/html; charset=utf-8", loginHtml(false), { "www-authenticate": 'Bearer realm="vmsync"' }), true;
      }
      if (path === "/events") {
        hub.open(req, res, { event: "update", data: await update() });
        return true;
      }
      send(res, 200, "text/html; charset=utf-8", pageHtml(await opts.sources.data()));
      return true;
    },
    close() {
      unsubscribe();
      hub.close();
    },
  };
}
