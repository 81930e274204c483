/**
 * JSON-RPC 2.0 on `/api/current` (reference §1.5): request validation (-32700/-32600),
 * notifications (no `id` → no reply), results and `{code, message, data}` errors, and
 * `collection_update` notifications for subscriptions made with `core.subscribe`.
 */
import type { WebSocket } from "ws";
import type { SimCore } from "./core.js";
import { jsonRpcError } from "./errors.js";
import { Session, type SessionIO } from "./session.js";
import { sendJson } from "./transport-legacy.js";

/** One JSON-RPC connection. */
export class JsonRpcConnection {
  readonly session: Session;

  constructor(
    private readonly core: SimCore,
    private readonly ws: WebSocket,
    remote: string,
  ) {
    const io: SessionIO = {
      event: (msg, collection, id, fields) =>
        sendJson(ws, { jsonrpc: "2.0", method: "collection_update", params: fields === undefined ? { msg, collection, id } : { msg, collection, id, fields } }),
      close: (code, reason) => (code ? ws.close(code, reason) : ws.terminate()),
    };
    this.session = new Session("jsonrpc", remote, io);
  }

  private reply(id: unknown, body: { result: unknown } | { error: unknown }): void {
    sendJson(this.ws, { jsonrpc: "2.0", id, ...body });
  }

  /** Handles one text frame. */
  handle(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      this.reply(null, { error: { code: -32700, message: `Parse error: ${(e as Error).message}` } });
      return;
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      this.reply(null, { error: { code: -32600, message: "Invalid Request" } });
      return;
    }
    const m = msg as Record<string, unknown>;
    const id = "id" in m ? m.id : undefined;
    const invalid = (message: string) => this.reply(id ?? null, { error: { code: -32600, message } });
    if (m.jsonrpc !== "2.0") return invalid("'jsonrpc' member must be '2.0'");
    if (typeof m.method !== "string") return invalid("'method' member must be of type string");
    if (m.params !== undefined && !Array.isArray(m.params)) return invalid("'params' member must be of type array");
    if (id !== undefined && id !== null && typeof id !== "string" && typeof id !== "number") return invalid("'id' member must be a string, number or null");
    void this.call(m.method, (m.params as unknown[] | undefined) ?? [], id);
  }

  private async call(method: string, params: unknown[], id: unknown): Promise<void> {
    try {
      const result = await this.core.execute(this.session, method, params, id);
      if (id !== undefined) this.reply(id, { result: result === undefined ? null : result });
    } catch (e) {
      if (id !== undefined) this.reply(id, { error: jsonRpcError(e, this.core.p) });
    }
  }
}
