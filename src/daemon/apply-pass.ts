import { randomUUID } from "node:crypto";
import type { Connections } from "../cli/connect.js";
import type { DesiredState } from "../manifest/model.js";
import type { ExecEvent } from "../reconcile/events.js";
import { providerLimits } from "../reconcile/limits.js";
import { execute } from "../reconcile/execute.js";
import type { Plan } from "../reconcile/plan-types.js";
import { StateLockedError, type StateSnapshot } from "../state/contract.js";
import { specHashes } from "./health.js";
import type { PassApply, StepFailure } from "./pass-types.js";
import type { PassContext } from "./reconcile-pass.js";

/** What `applyPlan` needs beyond the pass context. */
export interface ApplyInput {
  plan: Plan;
  connections: Connections;
  desired: DesiredState;
  revision?: string;
  /** The state serial the plan was made from. */
  planSerial: number;
  /** Plans again from a newer state (observing again). */
  replan: (state: StateSnapshot) => Promise<Plan>;
}

/**
 * Applies a plan the way `vmsync apply` does, holding the state lock only for the apply (so
 * `vmsync plan` keeps working beside the daemon). When another apply committed since the plan was
 * made, it plans again under the lock first. Records history (with the git revision) and feeds
 * step outcomes into the per-resource backoff. A held lock is not an error: the next pass retries.
 */
export async function applyPlan(ctx: PassContext, input: ApplyInput): Promise<{ plan: Plan; apply?: PassApply; lockedBy?: string }> {
  let lock;
  try {
    lock = await ctx.store.lock(ctx.lockHolder);
  } catch (err) {
    if (err instanceof StateLockedError) return { plan: input.plan, lockedBy: `${err.holder.user}@${err.holder.host} pid ${err.holder.pid} (${err.holder.command})` };
    throw err;
  }
  try {
    const current = await ctx.store.read();
    const plan = current.serial === input.planSerial ? input.plan : await input.replan(current);
    const runId = randomUUID();
    const startedAt = new Date(ctx.clock.now()).toISOString();
    const failures: StepFailure[] = [];
    const onEvent = (e: ExecEvent) => {
      if (e.type === "step.failed") failures.push({ address: e.address, error: e.error, retryable: e.retryable, ...(e.code ? { code: e.code } : {}) });
      ctx.onEvent(e);
    };
    const limits = providerLimits(input.desired);
    const result = plan.errors.length
      ? { result: "failed" as const, steps: [] }
      : await execute({
          plan, sessions: input.connections.sessions, providers: input.connections.providers, store: ctx.store, limits, parallelism: ctx.parallelism, runId,
          stop: ctx.stop, abort: ctx.abort, onEvent, ...(ctx.execution?.retry ? { retry: ctx.execution.retry } : {}), ...(ctx.execution?.runtime ? { runtime: ctx.execution.runtime } : {}),
        });
    await ctx.store.appendHistory({
      id: runId, command: `watch --mode apply`, user: ctx.lockHolder.user, host: ctx.lockHolder.host, startedAt, finishedAt: new Date(ctx.clock.now()).toISOString(),
      ...(input.revision ? { revision: input.revision } : {}), result: result.result, summary: plan.summary, steps: result.steps,
    });
    const hashes = specHashes(input.desired.resources);
    const now = ctx.clock.now();
    for (const s of result.steps) if (s.result === "succeeded") ctx.health.recordSuccess(s.address);
    for (const f of failures) ctx.health.recordFailure(f.address, { retryable: f.retryable, error: f.error, ...(f.code ? { code: f.code } : {}), specHash: hashes.get(f.address) ?? "absent", now });
    return { plan, apply: { result: result.result, steps: result.steps, failures, historyId: runId } };
  } finally {
    await lock.release();
  }
}
