/**
 * One websocket to the middleware: opens it over TLS (verification always on), performs the legacy
 * handshake when needed, correlates replies to calls by request id, and forwards collection events.
 * It never reconnects by itself: the client (client.ts) decides that. When the socket closes, every
 * pending call fails with a transient transport error.
 */
import type { SecureContext } from "node:tls";
import WebSocket from "ws";
import { callError, transportError } from "./errors.js";
import { decodeFrame, encodeCall, encodeLegacySub, LEGACY_CONNECT, TRANSPORT_PATH, type Frame, type Transport } from "./wire.js";

/** TLS settings of the socket: extra trusted CAs (PEM, added to the system roots) and the name to verify. */
export interface TlsOptions {
  ca?: string[];
  /** A ready TLS context (trusting the system roots and the provider's CA); wins over `ca`. */
  secureContext?: SecureContext;
  servername?: string;
}

/** Raised when the server has no route for the protocol (HTTP 404 on upgrade): e.g. JSON-RPC on 24.10. */
export class NoSuchEndpointError extends Error {
  readonly code = "TRUENAS_NO_ENDPOINT";
  readonly retryable = false;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string };

/** A live socket speaking one protocol. */
export class Connection {
  private pending = new Map<string | number, Pending>();
  private nextId = 1;
  private closedError: Error | null = null;

  private constructor(
    private readonly ws: WebSocket,
    readonly transport: Transport,
    private readonly onEvent: (f: Extract<Frame, { kind: "event" }>) => void,
  ) {
    ws.on("message", (data) => this.receive(decodeFrame(transport, data.toString())));
    ws.on("close", (code) => this.fail(transportError(`socket closed (code ${code})`)));
    ws.on("error", (err) => this.fail(transportError(err.message, err)));
  }

  /** Opens `base` + the protocol's path; resolves once usable (legacy: after `connected`). */
  static open(base: string, transport: Transport, tls: TlsOptions, onEvent: (f: Extract<Frame, { kind: "event" }>) => void, timeoutMs = 15_000): Promise<Connection> {
    const url = `${base.replace(/\/+$/, "")}${TRANSPORT_PATH[transport]}`;
    const ws = new WebSocket(url, {
      ...(tls.secureContext ? { secureContext: tls.secureContext } : tls.ca ? { ca: tls.ca } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      rejectUnauthorized: true,
      maxPayload: 64 * 1024 * 1024,
    });
    return new Promise<Connection>((resolve, reject) => {
      // a server that accepts the connection but never answers: a timeout (transient, "unreachable")
      const timer = setTimeout(() => fail(transportError(`no answer from ${url} within ${timeoutMs / 1000} s`, new DOMException("connection timed out", "TimeoutError"))), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on("error", () => {});
        ws.terminate();
        reject(err);
      };
      ws.once("unexpected-response", (_req, res) => {
        fail(res.statusCode === 404 ? new NoSuchEndpointError(`${TRANSPORT_PATH[transport]} answered 404`) : transportError(`${url} answered HTTP ${res.statusCode}`));
      });
      ws.once("error", (err) => fail(transportError(`cannot connect to ${url}: ${err.message}`, err)));
      ws.once("open", () => {
        ws.removeAllListeners();
        const conn = new Connection(ws, transport, onEvent);
        if (transport === "jsonrpc") {
          clearTimeout(timer);
          return resolve(conn);
        }
        conn.handshake = (f) => {
          clearTimeout(timer);
          if (f.kind === "connected") resolve(conn);
          else fail(transportError(f.kind === "failed" ? f.reason : "handshake failed"));
        };
        ws.send(LEGACY_CONNECT);
      });
    });
  }

  private handshake: ((f: Frame) => void) | null = null;

  /** True until the socket closes. */
  get alive(): boolean {
    return this.closedError === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one call and resolves its result; rejects with a `TruenasCallError` or a transport error. */
  call(method: string, params: unknown[]): Promise<unknown> {
    if (!this.alive) return Promise.reject(this.closedError ?? transportError("socket is not open"));
    const id = this.transport === "jsonrpc" ? this.nextId++ : `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(encodeCall(this.transport, id, method, params), (err) => {
        if (err) this.settle(id, undefined, transportError(err.message, err));
      });
    });
  }

  /** Subscribes to a collection (legacy `sub`; JSON-RPC `core.subscribe`). */
  async subscribe(name: string): Promise<void> {
    if (this.transport === "jsonrpc") await this.call("core.subscribe", [name]);
    else this.ws.send(encodeLegacySub(`sub-${this.nextId++}`, name));
  }

  /** Closes the socket; pending calls fail. */
  close(): void {
    this.fail(transportError("closed by vmsync"));
    this.ws.close();
  }

  private settle(id: string | number, value: unknown, err?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  private receive(f: Frame): void {
    if (this.handshake && (f.kind === "connected" || f.kind === "failed")) {
      const h = this.handshake;
      this.handshake = null;
      return h(f);
    }
    if (f.kind === "result") this.settle(f.id, f.result);
    else if (f.kind === "error") this.settle(f.id, undefined, callError(this.pending.get(f.id)?.method ?? "call", f.error));
    else if (f.kind === "event") this.onEvent(f);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    if (this.handshake) {
      const h = this.handshake;
      this.handshake = null;
      h({ kind: "failed", reason: err.message });
    }
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}
