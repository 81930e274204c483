/**
 * The legacy DDP-style protocol on `/websocket` (reference §1.4): connect/connected (version "1"),
 * method/result with `{error, errname, type, reason, trace, extra}` errors, ping/pong, sub/unsub
 * with added/changed/removed events, and `{"msg":"failed","version":"1"}` before connect.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { SimCore } from "./core.js";
import { ERRNO, legacyError } from "./errors.js";
import { Session, type SessionIO } from "./session.js";

/** Sends a JSON message if the socket is still open. */
export function sendJson(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** One legacy connection: owns its Session and interprets each text frame. */
export class LegacyConnection {
  readonly session: Session;
  private connected = false;

  constructor(
    private readonly core: SimCore,
    private readonly ws: WebSocket,
    remote: string,
  ) {
    const io: SessionIO = {
      event: (msg, collection, id, fields) => sendJson(ws, fields === undefined ? { msg, collection, id } : { msg, collection, id, fields }),
      close: (code, reason) => (code ? ws.close(code, reason) : ws.terminate()),
    };
    this.session = new Session("legacy", remote, io);
  }

  /** Handles one parsed-or-not text frame. */
  handle(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
      if (typeof msg !== "object" || msg === null || Array.isArray(msg)) throw new Error("not an object");
    } catch {
      sendJson(this.ws, { msg: "failed", version: "1" });
      return;
    }
    if (msg.msg === "connect") {
      if (msg.version !== "1") {
        sendJson(this.ws, { msg: "failed", version: "1" });
        return;
      }
      this.connected = true;
      sendJson(this.ws, { msg: "connected", session: this.session.id });
      return;
    }
    if (!this.connected) {
      sendJson(this.ws, { msg: "failed", version: "1" });
      return;
    }
    switch (msg.msg) {
      case "ping":
        sendJson(this.ws, "id" in msg ? { msg: "pong", id: msg.id } : { msg: "pong" });
        return;
      case "method":
        void this.call(msg);
        return;
      case "sub":
        this.sub(msg);
        return;
      case "unsub":
        this.session.subs.delete(String(msg.id));
        return;
      default:
        return;
    }
  }

  private async call(msg: Record<string, unknown>): Promise<void> {
    const id = msg.id;
    const p = this.core.p;
    if (msg.params !== undefined && !Array.isArray(msg.params)) {
      sendJson(this.ws, {
        id,
        msg: "result",
        error: { error: ERRNO.EINVAL, errname: "EINVAL", type: null, reason: "`params` must be a list.", trace: null, extra: null },
      });
      return;
    }
    try {
      const result = await this.core.execute(this.session, String(msg.method), (msg.params as unknown[] | undefined) ?? [], id);
      sendJson(this.ws, { id, msg: "result", result: result === undefined ? null : result });
    } catch (e) {
      sendJson(this.ws, { id, msg: "result", error: legacyError(e, p) });
    }
  }

  private sub(msg: Record<string, unknown>): void {
    const subId = String(msg.id ?? randomUUID());
    if (!this.session.auth) {
      sendJson(this.ws, { msg: "nosub", id: subId, error: { error: ERRNO.EACCES, errname: "EACCES", type: null, reason: "Not authorized", trace: null, extra: null } });
      return;
    }
    this.session.subs.set(subId, String(msg.name));
    sendJson(this.ws, { msg: "ready", subs: [subId] });
  }
}
