import type { SimKnobs } from "../knobs.js";
import type { SimContext } from "./context.js";
import { PveError } from "./errors.js";

/**
 * The simulator's own admin paths (outside `/api2/json`, loopback only, no auth) for tests and the
 * demo: `GET /_sim/world` (the world without its signing key), `GET|POST /_sim/knobs` (read or change
 * latency, task duration, fault rate, seed at runtime) `GET /_sim/stats` (counts, incl. world writes and API requests by route) and `POST /_sim/flush` (persist now).
 * Changes "behind vmsync's back" go through the normal API instead.
 */
export async function handleAdmin(sim: SimContext, method: string, path: string, body: string): Promise<unknown> {
  if (path === "/_sim/world" && method === "GET") {
    const { authKey: _hidden, ...rest } = sim.world;
    return rest;
  }
  if (path === "/_sim/knobs" && method === "GET") return sim.knobs;
  if (path === "/_sim/knobs" && method === "POST") {
    const partial = (body ? JSON.parse(body) : {}) as Partial<SimKnobs>;
    const allowed: Array<keyof SimKnobs> = ["latencyMs", "taskDurationMs", "faultRate", "seed"];
    const clean: Partial<SimKnobs> = {};
    for (const k of allowed) if (typeof partial[k] === "number") clean[k] = partial[k];
    sim.setKnobs(clean);
    return sim.knobs;
  }
  if (path === "/_sim/stats" && method === "GET") {
    return { vms: Object.keys(sim.world.vms).length, tasks: sim.world.tasks.length, worldWrites: sim.store.writes, knobs: sim.knobs, requests: sim.requests.snapshot() };
  }
  if (path === "/_sim/flush" && method === "POST") {
    await sim.store.flush();
    return null;
  }
  throw new PveError(404, "no such admin path\n");
}
