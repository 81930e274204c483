import type { ResourceKind } from "../manifest/model.js";
import { partialEffectsOf, type FieldChange, type PartialEffect, type ObservedResource, type Provider, type ProviderSession } from "../providers/contract.js";
import type { HistoryStep, StateChange, StateStore } from "../state/contract.js";
import type { ApplyResult, EventInput, EventSink, ExecEvent } from "./events.js";
import { isRunnable, StepGraph } from "./graph.js";
import { StepScheduler } from "./scheduler.js";
import type { Plan, PlanStep } from "./plan-types.js";
import { defaultRetry, realRuntime, withRetry, type RetryPolicy, type RetryRuntime } from "./retry.js";
import { deadlineSignal } from "../providers/deadline-signal.js";

/** Per-provider execution limits. */
export interface ProviderLimits {
  concurrency: number;
  stepTimeoutMs: number;
}

/** Everything an apply needs. `stop` ends starting new steps; `abort` also cancels in-flight ones. */
export interface ExecuteInput {
  plan: Plan;
  sessions: Map<string, ProviderSession>;
  providers: Map<string, Provider>;
  store: StateStore;
  limits: Map<string, ProviderLimits>;
  parallelism: number;
  runId: string;
  stop: AbortSignal;
  abort: AbortSignal;
  onEvent: EventSink;
  retry?: RetryPolicy;
  runtime?: RetryRuntime;
}

/** What an apply did, step by step, for history and the exit code. */
export interface ExecuteResult {
  result: ApplyResult;
  steps: HistoryStep[];
}

/** Raised when asked to apply a plan that has errors (blocked steps, mass-delete guard). */
export class PlanNotApplicableError extends Error {
  readonly code = "PLAN_NOT_APPLICABLE";
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(`the plan cannot be applied:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PlanNotApplicableError";
  }
}

/**
 * Executes a plan: walks the dependency DAG with per-provider concurrency and a global parallelism
 * cap; retries transient errors with backoff and jitter within each step's deadline; a failed step
 * skips its dependents while independent branches go on. State is committed after every step, and
 * before each create a pending record (with the ownership marker) is committed so that a crash
 * mid-create is adopted by the next run instead of duplicated.
 */
export async function execute(input: ExecuteInput): Promise<ExecuteResult> {
  if (input.plan.errors.length) throw new PlanNotApplicableError(input.plan.errors);
  const runtime = input.runtime ?? realRuntime;
  const started = runtime.now();
  const runnable = input.plan.steps.filter(isRunnable);
  // how each managed resource came under management survives updates (an imported VM stays "imported")
  const before = await input.store.read();
  const origins = new Map(Object.values(before.resources).map((r) => [r.address, r.origin]));
  const pendingBefore = new Set(Object.keys(before.pending));
  const graph = new StepGraph(runnable);
  const status = new Map<string, HistoryStep["result"] | "running">();
  const history: HistoryStep[] = [];
  const emit = (e: EventInput) => input.onEvent({ ...e, time: new Date(runtime.now()).toISOString() } as ExecEvent);
  const inFlight = new Map<string, number>();
  let running = 0;

  const finish = (step: PlanStep, result: HistoryStep["result"], error?: string) => {
    status.set(step.address, result);
    history.push({ address: step.address, action: step.action, result, ...(error ? { error } : {}) });
    if (result === "failed") {
      for (const d of graph.downstream(step.address)) {
        if (status.has(d)) continue;
        const dep = graph.steps.get(d)!;
        status.set(d, "skipped");
        history.push({ address: d, action: dep.action, result: "skipped", error: `depends on ${step.address}, which failed` });
        emit({ type: "step.skipped", address: d, action: dep.action, reason: `depends on ${step.address}, which failed` });
      }
    }
  };

  const scheduler = new StepScheduler(graph, runnable);
  const busy = (provider: string) => {
    const limit = input.limits.get(provider)?.concurrency ?? input.parallelism;
    const now = inFlight.get(provider) ?? 0;
    return now < limit ? now / limit : undefined;
  };
  await new Promise<void>((resolveAll) => {
    const pump = () => {
      while (!input.stop.aborted && running < input.parallelism) {
        const step = scheduler.next(busy);
        if (!step) break;
        const provider = step.provider ?? "";
        status.set(step.address, "running");
        inFlight.set(provider, (inFlight.get(provider) ?? 0) + 1);
        running++;
        void runStep(input, step, runtime, emit, { origin: origins.get(step.address), pendingBefore: pendingBefore.has(step.address) }).then(({ result, error }) => {
          running--;
          inFlight.set(provider, inFlight.get(provider)! - 1);
          finish(step, result, error);
          if (result === "succeeded") scheduler.succeeded(step.address);
          pump();
        });
      }
      if (running === 0) resolveAll();
    };
    input.stop.addEventListener("abort", () => { if (running === 0) resolveAll(); }, { once: true });
    pump();
  });

  for (const step of runnable) {
    if (status.has(step.address)) continue;
    history.push({ address: step.address, action: step.action, result: "cancelled" });
    emit({ type: "step.skipped", address: step.address, action: step.action, reason: "cancelled before it started" });
  }
  const count = (r: HistoryStep["result"]) => history.filter((h) => h.result === r).length;
  const result: ApplyResult = input.stop.aborted && count("cancelled") > 0 ? "cancelled" : count("failed") === 0 ? "succeeded" : count("succeeded") > 0 ? "partial" : "failed";
  const done = (a: PlanStep["action"]) => history.filter((h) => h.result === "succeeded" && h.action === a).length;
  emit({
    type: "summary", result, succeeded: count("succeeded"), failed: count("failed"), skipped: count("skipped"), cancelled: count("cancelled"),
    counts: { create: done("create"), update: done("update"), replace: done("replace"), delete: done("delete") }, durationMs: runtime.now() - started,
  });
  return { result, steps: history };
}

/** Runs one step with retries and commits its outcome to state. Never throws. */
async function runStep(input: ExecuteInput, step: PlanStep, runtime: RetryRuntime, emit: (e: EventInput) => void, known: { origin?: "created" | "imported" | undefined; pendingBefore: boolean }): Promise<{ result: "succeeded" | "failed"; error?: string }> {
  const origin = known.origin;
  const t0 = runtime.now();
  const limits = input.limits.get(step.provider ?? "");
  const deadline = t0 + (limits?.stepTimeoutMs ?? 15 * 60_000);
  const cancel = deadlineSignal(input.abort, Math.max(1, deadline - t0));
  const signal = cancel.signal;
  const session = step.provider ? input.sessions.get(step.provider) : undefined;
  const marker = { stack: input.plan.stack, address: step.address };
  emit({ type: "step.start", address: step.address, action: step.action, attempt: 1 });
  const effects: PartialEffect[] = [];
  try {
    const { value: observed } = await withRetry(
      async (attempt) => {
        if (signal.aborted) throw Object.assign(new Error(cancel.timedOut() ? "step deadline passed" : "cancelled"), { retryable: false });
        // a first attempt at a create no earlier run began, planned from this run's observation, has nothing to adopt
        const fresh = attempt === 1 && !known.pendingBefore && step.action === "create";
        try {
          return await perform(input, step, session, { marker, fresh }, { signal, deadline });
        } catch (err) {
          effects.push(...partialEffectsOf(err)); // every attempt's partial work, not only the last one's
          throw err;
        }
      },
      { policy: input.retry ?? defaultRetry, runtime, deadline, signal, onRetry: (attempt, delayMs, err) => emit({ type: "step.retry", address: step.address, action: step.action, attempt, delayMs, error: messageOf(err) }) },
    );
    await commitOutcome(input, step, observed, step.action === "update" || (step.action === "noop" && !step.adopt) ? (origin ?? "created") : "created");
    const mismatch = observed && step.desired && step.provider ? remainingDiff(input.providers.get(step.provider), step.kind, step.desired, observed) : [];
    emit({ type: "step.done", address: step.address, action: step.action, ...(observed ? { externalId: observed.externalId } : {}), durationMs: runtime.now() - t0, ...(mismatch.length ? { mismatch } : {}) });
    return { result: "succeeded" };
  } catch (err) {
    const e = err as { code?: unknown; retryable?: unknown; attempts?: number };
    await recordFailure(input, step, err, effects).catch(() => {}); // the failure itself is what matters; a state error here must not hide it
    emit({ type: "step.failed", address: step.address, action: step.action, error: messageOf(err), ...(typeof e.code === "string" ? { code: e.code } : {}), retryable: e.retryable === true, attempts: e.attempts ?? 1 });
    return { result: "failed", error: messageOf(err) };
  } finally {
    cancel.release();
  }
}

async function perform(input: ExecuteInput, step: PlanStep, session: ProviderSession | undefined, how: { marker: { stack: string; address: string }; fresh: boolean }, ctx: { signal: AbortSignal; deadline: number }): Promise<ObservedResource | undefined> {
  const marker = how.marker;
  const desired = step.desired ?? {};
  if (!session) {
    // state-only resources (SnapshotSchedule): nothing to call, the state commit is the change
    return step.action === "delete" ? undefined : { kind: step.kind, externalId: `vmsync:${step.address}`, name: step.name, spec: desired };
  }
  const create = async () => {
    await input.store.commit([{ type: "putPending", pending: { address: step.address, kind: step.kind, provider: step.provider!, marker: `${marker.stack}/${marker.address}`, externalName: step.name, startedAt: new Date().toISOString(), runId: input.runId } }]);
    return session.create({ address: step.address, kind: step.kind, name: step.name, spec: desired, marker, ...(how.fresh ? { fresh: true } : {}) }, ctx);
  };
  switch (step.action) {
    case "create":
      return create();
    case "update":
      return session.update({ address: step.address, kind: step.kind, externalId: step.externalId!, spec: desired, changes: step.changes, marker }, ctx);
    case "replace":
      await session.delete({ address: step.address, kind: step.kind, externalId: step.externalId!, spec: desired }, ctx);
      await input.store.commit([{ type: "removeResource", address: step.address }]);
      // a retry after the delete re-enters here: delete succeeds when already gone
      return create();
    case "delete":
      await session.delete({ address: step.address, kind: step.kind, externalId: step.externalId!, ...(step.desired ? { spec: step.desired } : {}) }, ctx);
      return undefined;
    case "noop":
      return { kind: step.kind, externalId: step.externalId!, name: step.name, marker, spec: desired };
  }
}

async function commitOutcome(input: ExecuteInput, step: PlanStep, observed: ObservedResource | undefined, origin: "created" | "imported"): Promise<void> {
  const changes: StateChange[] = [];
  if (step.action === "delete") changes.push({ type: "removeResource", address: step.address });
  else if (observed) {
    changes.push({
      type: "putResource",
      record: {
        address: step.address, kind: step.kind, provider: step.provider ?? "", externalId: observed.externalId, appliedSpec: step.desired ?? observed.spec,
        protect: step.protect, appliedAt: new Date().toISOString(), origin, dependsOn: step.dependsOn,
      },
    });
  }
  changes.push({ type: "clearPending", address: step.address });
  await input.store.commit(changes);
}

/**
 * Remembers a failed step on the resource's state record (when it has one): what it was changing
 * and what the provider says it changed before failing, so that the next plan reports what vmsync
 * left half-done instead of "changed outside vmsync". The next successful step clears it.
 */
async function recordFailure(input: ExecuteInput, step: PlanStep, err: unknown, effects: PartialEffect[]): Promise<void> {
  const record = (await input.store.read()).resources[step.address];
  if (!record) return;
  await input.store.commit([{
    type: "putResource",
    record: {
      ...record,
      failedStep: { runId: input.runId, action: step.action, at: new Date().toISOString(), error: messageOf(err), changing: step.changes.map((c) => c.path), ...(effects.length ? { effects } : {}) },
    },
  }]);
}

function remainingDiff(provider: Provider | undefined, kind: ResourceKind, desired: Record<string, unknown>, observed: ObservedResource): FieldChange[] {
  return provider ? provider.diff(kind, desired, observed.spec) : [];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
