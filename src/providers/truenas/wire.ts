/**
 * The two wire protocols of the TrueNAS middleware (reference §1.4, §1.5): JSON-RPC 2.0 on
 * `/api/current` (25.04+) and the legacy DDP-style protocol on `/websocket` (all versions). Only
 * framing lives here: building call frames and reading replies, errors and collection events into
 * one transport-independent shape.
 */

/** Which protocol a connection speaks. */
export type Transport = "jsonrpc" | "legacy";

/** URL path of each protocol. */
export const TRANSPORT_PATH: Record<Transport, string> = { jsonrpc: "/api/current", legacy: "/websocket" };

/**
 * A middleware error, normalised. `errno` is the TrueNAS errno (JSON-RPC: `data.error`, legacy:
 * `error`); `rpcCode` the JSON-RPC code when there was one; `reason` TrueNAS's own text;
 * `extra` the validation triples `[attribute, message, errno]` when `validation` is set.
 */
export interface WireError {
  rpcCode?: number;
  errno?: number;
  errname?: string;
  reason: string;
  validation: boolean;
  extra?: unknown;
}

/** One decoded frame. */
export type Frame =
  | { kind: "result"; id: string | number; result: unknown }
  | { kind: "error"; id: string | number; error: WireError }
  | { kind: "event"; collection: string; msg: string; objectId: unknown; fields?: Record<string, unknown> }
  | { kind: "connected" }
  | { kind: "failed"; reason: string }
  | { kind: "other" };

/** The text of a call frame. */
export function encodeCall(t: Transport, id: string | number, method: string, params: unknown[]): string {
  return JSON.stringify(t === "jsonrpc" ? { jsonrpc: "2.0", id, method, params } : { id, msg: "method", method, params });
}

/** The legacy handshake frame (JSON-RPC needs none). */
export const LEGACY_CONNECT = JSON.stringify({ msg: "connect", version: "1", support: ["1"] });

/** The legacy subscription frame for a collection. */
export function encodeLegacySub(id: string, name: string): string {
  return JSON.stringify({ msg: "sub", id, name });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fromBody(body: Obj, rpcCode?: number, fallback?: string): WireError {
  const errno = typeof body.error === "number" ? body.error : undefined;
  const reason = typeof body.reason === "string" && body.reason ? body.reason : (fallback ?? "unknown error");
  const validation = body.type === "VALIDATION" || rpcCode === -32602 || Array.isArray(body.extra) && (body.extra as unknown[]).every((x) => Array.isArray(x) && x.length === 3);
  return {
    ...(rpcCode !== undefined ? { rpcCode } : {}),
    ...(errno !== undefined ? { errno } : {}),
    ...(typeof body.errname === "string" ? { errname: body.errname } : {}),
    reason,
    validation: Boolean(validation) && body.extra !== null && body.extra !== undefined,
    ...(body.extra !== null && body.extra !== undefined ? { extra: body.extra } : {}),
  };
}

/** Decodes one text frame of protocol `t`. Unparseable frames decode as `other`. */
export function decodeFrame(t: Transport, text: string): Frame {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { kind: "other" };
  }
  if (!isObj(m)) return { kind: "other" };
  if (t === "jsonrpc") {
    if (m.method === "collection_update" && isObj(m.params)) {
      const p = m.params;
      return { kind: "event", collection: String(p.collection), msg: String(p.msg), objectId: p.id, ...(isObj(p.fields) ? { fields: p.fields } : {}) };
    }
    const id = m.id;
    if (typeof id !== "string" && typeof id !== "number") return { kind: "other" };
    if (isObj(m.error)) {
      const e = m.error;
      const code = typeof e.code === "number" ? e.code : undefined;
      const message = typeof e.message === "string" ? e.message : "error";
      return { kind: "error", id, error: isObj(e.data) ? fromBody(e.data, code, message) : { ...(code !== undefined ? { rpcCode: code } : {}), reason: message, validation: false } };
    }
    return { kind: "result", id, result: m.result ?? null };
  }
  switch (m.msg) {
    case "connected":
      return { kind: "connected" };
    case "failed":
      return { kind: "failed", reason: `the server refused protocol version 1 (it speaks ${String(m.version)})` };
    case "result": {
      const id = m.id;
      if (typeof id !== "string" && typeof id !== "number") return { kind: "other" };
      return isObj(m.error) ? { kind: "error", id, error: fromBody(m.error) } : { kind: "result", id, result: m.result ?? null };
    }
    case "added":
    case "changed":
    case "removed":
      return { kind: "event", collection: String(m.collection), msg: m.msg, objectId: m.id, ...(isObj(m.fields) ? { fields: m.fields } : {}) };
    default:
      return { kind: "other" };
  }
}
