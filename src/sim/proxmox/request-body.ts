import type { IncomingMessage } from "node:http";
import { PveError, paramError } from "./errors.js";

/** Largest accepted request body (PVE limits POST data to 64 KiB per parameter; 1 MiB total is ample). */
const MAX_BODY = 1024 * 1024;

/** Reads the raw request body. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new PveError(413, "Request Entity Too Large\n");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function formParams(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Request parameters as PVE's HTTP server builds them: the body (`application/json` or
 * `application/x-www-form-urlencoded`; repeated form keys become arrays) with query-string
 * parameters merged over it. GET/DELETE with a body → 501 `Unexpected content for method '…'`.
 */
export function requestParams(method: string, contentType: string | undefined, body: string, query: URLSearchParams): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (body.length > 0) {
    if (method === "GET" || method === "DELETE") throw new PveError(501, `Unexpected content for method '${method}'\n`);
    if ((contentType ?? "").toLowerCase().startsWith("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        throw new PveError(400, `malformed JSON string: ${(err as Error).message}\n`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) paramError({ body: "JSON body must be an object" });
      params = { ...(parsed as Record<string, unknown>) };
    } else {
      params = formParams(body);
    }
  }
  for (const [k, v] of Object.entries(formParams(query.toString()))) params[k] = v;
  return params;
}

/**
 * Merges path parameters into the request parameters; a body value that contradicts the URI gives
 * PVE's 400 `duplicate parameter (already defined in URI) with conflicting values!`.
 */
export function mergePathParams(params: Record<string, unknown>, path: Record<string, string>): Record<string, unknown> {
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(path)) {
    if (params[k] !== undefined && String(params[k]) !== v) errors[k] = "duplicate parameter (already defined in URI) with conflicting values!";
  }
  if (Object.keys(errors).length > 0) paramError(errors);
  return { ...params, ...path };
}
