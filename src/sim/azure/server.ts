import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { sleep } from "../knobs.js";
import { handleAdmin } from "./admin.js";
import { checkBearer } from "./auth.js";
import type { ArmReply, SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import type { FaultInjector } from "./faults.js";
import { isObject, type Json } from "./json.js";
import { parseArmPath } from "./arm-path.js";
import type { RequestTally } from "../request-tally.js";
import type { Router } from "./router.js";
import type { AzureSimKnobs } from "./sim-knobs.js";

const MAX_BODY = 8 * 1024 * 1024;

/** What the HTTPS front end needs: TLS material, the simulation, its router and fault injector. */
export interface ArmServerDeps {
  key: string;
  cert: string;
  sim: SimContext;
  router: Router;
  faults: FaultInjector;
  setKnobs: (k: Partial<AzureSimKnobs>) => void;
  requests: RequestTally;
}

/**
 * Creates the loopback HTTPS ARM front end (not yet listening). Per request, in ARM's order:
 * latency knob → bearer check (401) → fault injection (429/5xx) → JSON body parse (400
 * `InvalidRequestContent`) → routing (api-version, 404s, handlers). Every answer carries
 * `x-ms-request-id`/`x-ms-correlation-request-id` and echoes `x-ms-client-request-id`.
 */
export function createArmServer(deps: ArmServerDeps): Server {
  return createServer({ key: deps.key, cert: deps.cert }, (req, res) => {
    readBody(req)
      .then((raw) => handle(deps, req, raw))
      .catch((err: unknown) => errorReply(err))
      .then((reply) => send(req, res, reply))
      .catch(() => res.destroy());
  });
}

async function handle(deps: ArmServerDeps, req: IncomingMessage, raw: Buffer): Promise<ArmReply> {
  const { sim } = deps;
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", sim.baseUrl);
  if (sim.knobs.latencyMs > 0) await sleep(sim.knobs.latencyMs);
  checkBearer(req.headers, sim.world.token);
  if (url.pathname.startsWith("/_sim/")) return handleAdmin(sim, deps.faults, deps.setKnobs, method, url.pathname, parseBody(raw));
  deps.requests.count(requestLabel(method, url.pathname));
  const fault = deps.faults.pick(method, url.pathname, sim.knobs);
  if (fault) throw fault;
  return deps.router.dispatch(sim, { method, url, body: parseBody(raw), headers: req.headers });
}

/** The endpoint of a request for counting: `GET Microsoft.Compute/virtualMachines`, `GET operation status`. */
function requestLabel(method: string, pathname: string): string {
  const p = parseArmPath(pathname);
  if (p.kind === "operation") return `${method} operation status`;
  if (p.kind === "resourceGroups") return `${method} resourceGroups${p.resourceGroup ? "" : " (list)"}`;
  if (p.kind === "provider") return `${method} ${p.namespace}/${p.types.join("/")}${p.names.length < p.types.length ? " (list or action)" : ""}`;
  return `${method} (unknown path)`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ArmError(413, "RequestEntityTooLarge", "The request content is too large."));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseBody(raw: Buffer): Json | undefined {
  if (raw.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new ArmError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: '${(err as Error).message}'.`);
  }
  if (!isObject(value)) throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: expected a JSON object.");
  return value;
}

function errorReply(err: unknown): ArmReply {
  if (err instanceof ArmError) return { status: err.status, body: err.toBody(), ...(err.extra.headers ? { headers: err.extra.headers } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: "InternalServerError", message: `Simulator error: ${message}` } } };
}

function send(req: IncomingMessage, res: ServerResponse, reply: ArmReply): void {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": requestId,
    "cache-control": "no-cache",
    ...reply.headers,
  };
  const clientId = req.headers["x-ms-client-request-id"];
  if (typeof clientId === "string") headers["x-ms-client-request-id"] = clientId;
  let payload: string | undefined;
  if (reply.body !== undefined && req.method !== "HEAD") {
    payload = JSON.stringify(reply.body);
    headers["content-type"] = "application/json; charset=utf-8";
  }
  headers["content-length"] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
