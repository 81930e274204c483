import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { AzureSimHandle } from "../../../src/sim/azure/index.js";

/** A raw HTTPS answer (TLS verified against the simulator's CA). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Sends one raw request to the simulator, with the bearer token unless `auth` is false. */
export function raw(sim: AzureSimHandle, method: string, path: string, opts: { auth?: boolean | string; body?: unknown } = {}): Promise<RawResponse> {
  const url = new URL(path, sim.endpoint);
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.auth !== false) headers.authorization = `Bearer ${typeof opts.auth === "string" ? opts.auth : sim.credentials.token}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: readFileSync(sim.caFile, "utf8") }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}
