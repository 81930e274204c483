/**
 * The loopback HTTPS + WebSocket server: routes `/websocket` to the legacy protocol and
 * `/api/current` (`/api/vX…`) to JSON-RPC when the persona has it, answers `/api/versions` and
 * `/api/boot_id`, and enforces the frame-size limits (8 KiB before login → close 1007,
 * 64 KiB after → close 1009; reference §1.2).
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { SimCore } from "./core.js";
import { JsonRpcConnection } from "./transport-jsonrpc.js";
import { LegacyConnection } from "./transport-legacy.js";

/** Frame limits in characters. */
export const ANON_MAX = 8192;
export const AUTH_MAX = 65536;

/** A running server. */
export interface RunningServer {
  port: number;
  /** Terminates every open websocket abruptly (clients see 1006). */
  dropConnections(): void;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

function apiVersions(core: SimCore): string[] {
  const out = ["v25.04.0", "v25.04.1", "v25.04.2"];
  if (core.p.line === "25.10") for (let i = 0; i <= 5; i++) out.push(`v25.10.${i}`);
  return out;
}

function attach(core: SimCore, ws: WebSocket, req: IncomingMessage, kind: "legacy" | "jsonrpc"): void {
  const remote = req.socket.remoteAddress ?? "127.0.0.1";
  const conn = kind === "legacy" ? new LegacyConnection(core, ws, remote) : new JsonRpcConnection(core, ws, remote);
  const session = conn.session;
  core.sessions.add(session);
  ws.on("message", (data) => {
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
    if (!session.auth && text.length > ANON_MAX) {
      ws.close(1007, "Anonymous connection max message length is 8 kB");
      return;
    }
    if (session.auth && text.length > AUTH_MAX) {
      ws.close(1009, "Max message length is 64 kB");
      return;
    }
    conn.handle(text);
  });
  ws.on("close", () => core.sessions.delete(session));
  ws.on("error", () => core.sessions.delete(session));
}

/** Starts listening on `host:port` with the given certificate. */
export async function startServer(core: SimCore, tls: { key: string; cert: string }, host: string, port: number): Promise<RunningServer> {
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = new URL(req.url ?? "/", "https://localhost").pathname;
    if (req.method === "GET" && path === "/api/versions" && core.p.jsonRpc) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(apiVersions(core)));
    } else if (req.method === "GET" && path === "/api/boot_id" && core.p.line === "25.10") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(core.bootId));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("404: Not Found");
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "https://localhost").pathname;
    let kind: "legacy" | "jsonrpc" | null = null;
    if (path === "/websocket") kind = "legacy";
    else if (core.p.jsonRpc && (path === "/api/current" || /^\/api\/v\d+\.\d+(\.\d+)?$/.test(path))) kind = "jsonrpc";
    if (!kind) {
      socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    const k = kind;
    wss.handleUpgrade(req, socket, head, (ws) => attach(core, ws, req, k));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const actualPort = typeof addr === "object" && addr ? addr.port : port;
  let closed: Promise<void> | null = null;
  return {
    port: actualPort,
    dropConnections: () => {
      for (const ws of wss.clients) ws.terminate();
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
