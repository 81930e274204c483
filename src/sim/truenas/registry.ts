/**
 * The method table: what each method module registers and what a method implementation receives.
 */
import type { JobBody } from "./jobs.js";
import type { Session } from "./session.js";
import type { SimCore } from "./core.js";

/** What a method implementation gets: the simulator, the calling connection, the request id. */
export interface MethodCtx {
  sim: SimCore;
  session: Session;
  messageId: unknown;
}

/**
 * One API method. Exactly one of `call` (plain method: returns the result) or `job` (job method:
 * validates synchronously — throwing goes to the caller — and returns the body run as a job).
 * `noAuth`: callable before login; `rateLimited`: counts toward the unauthenticated rate limit;
 * `noFault`: never hit by injected faults or latency.
 */
export interface MethodDef {
  noAuth?: boolean;
  rateLimited?: boolean;
  noFault?: boolean;
  call?: (ctx: MethodCtx, params: unknown[]) => unknown;
  job?: (ctx: MethodCtx, params: unknown[]) => JobBody | Promise<JobBody>;
}

/** Method name → definition, built per persona (absent methods are simply not registered). */
export type MethodTable = Map<string, MethodDef>;
