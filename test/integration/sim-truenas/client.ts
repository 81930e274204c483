/**
 * Minimal test clients for the TrueNAS simulator over real TLS websockets (the CA file is trusted;
 * verification stays on): a legacy `/websocket` client and a JSON-RPC `/api/current` client.
 */
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import type { TruenasSimHandle } from "../../../src/sim/truenas/index.js";

/** A reply: `result` or `error` (legacy error object, or JSON-RPC error member). */
export interface Reply {
  result?: unknown;
  error?: Record<string, any>;
}

/** Base: socket, frames received, close info. */
abstract class Base {
  readonly frames: any[] = [];
  closed: Promise<{ code: number; reason: string }>;
  protected pending = new Map<unknown, (r: Reply) => void>();
  private nextId = 1;

  protected constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (d) => {
      const msg = JSON.parse(d.toString());
      this.frames.push(msg);
      this.onFrame(msg);
    });
  }

  protected static open(h: TruenasSimHandle, path: string): Promise<WebSocket> {
    const ws = new WebSocket(`${h.endpoint}${path}`, { ca: readFileSync(h.caFile) });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
  }

  protected abstract onFrame(msg: any): void;
  protected abstract frame(id: unknown, method: string, params: unknown[]): unknown;

  /** Sends a call and resolves its reply. */
  call(method: string, params: unknown[] = []): Promise<Reply> {
    const id = `c${this.nextId++}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify(this.frame(id, method, params)));
    });
  }

  /** Calls and returns the result, throwing on error. */
  async ok(method: string, params: unknown[] = []): Promise<any> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
    return r.result;
  }

  /** Sends raw text. */
  send(text: string): void {
    this.ws.send(text);
  }

  /** Waits until a frame satisfies `pred` (already received ones count). */
  async waitFrame(pred: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const start = Date.now();
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (Date.now() - start > timeoutMs) throw new Error("timeout waiting for frame");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Legacy DDP-style client. `connect()` also performs the connect handshake unless told not to. */
export class LegacyClient extends Base {
  static async connect(h: TruenasSimHandle, handshake = true): Promise<LegacyClient> {
    const c = new LegacyClient(await Base.open(h, "/websocket"));
    if (handshake) {
      c.send(JSON.stringify({ msg: "connect", version: "1", support: ["1"] }));
      await c.waitFrame((m) => m.msg === "connected");
    }
    return c;
  }
  protected onFrame(msg: any): void {
    if (msg.msg === "result" && this.pending.has(msg.id)) {
      this.pending.get(msg.id)!(msg.error ? { error: msg.error } : { result: msg.result });
      this.pending.delete(msg.id);
    }
  }
  protected frame(id: unknown, method: string, params: unknown[]): unknown {
    return { id, msg: "method", method, params };
  }
  /** Logs in with the simulator's password. */
  async login(h: TruenasSimHandle): Promise<void> {
    const r = await this.ok("auth.login", [h.credentials.username, h.credentials.password]);
    if (r !== true) throw new Error("login failed");
  }
}

/** JSON-RPC 2.0 client. */
export class RpcClient extends Base {
  static async connect(h: TruenasSimHandle): Promise<RpcClient> {
    return new RpcClient(await Base.open(h, "/api/current"));
  }
  protected onFrame(msg: any): void {
    if ("id" in msg && this.pending.has(msg.id)) {
      this.pending.get(msg.id)!(msg.error ? { error: msg.error } : { result: msg.result });
      this.pending.delete(msg.id);
    }
  }
  protected frame(id: unknown, method: string, params: unknown[]): unknown {
    return { jsonrpc: "2.0", id, method, params };
  }
  /** Logs in with the API key. */
  async login(h: TruenasSimHandle): Promise<void> {
    const r = await this.ok("auth.login_with_api_key", [h.credentials.apiKey]);
    if (r !== true) throw new Error("login failed");
  }
}

/** Either client type, for tests that run on both transports. */
export type AnyClient = LegacyClient | RpcClient;
