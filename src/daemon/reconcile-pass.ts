import type { Connections } from "../cli/connect.js";
import { loadPriceTable } from "../cost/price-table.js";
import { loadManifests } from "../manifest/load.js";
import type { ParseCache } from "../manifest/parse-cache.js";
import type { DesiredState } from "../manifest/model.js";
import type { ConnectOptions, ObservedResource } from "../providers/contract.js";
import type { ExecEvent } from "../reconcile/events.js";
import { planFreshly } from "../reconcile/fresh-reads.js";
import { observeAll, providersInUse } from "../reconcile/observe.js";
import { readCapacity } from "../reconcile/observe-capacity.js";
import { openCaches, saveCaches, type ObserveCacheStore } from "../reconcile/observe-caches.js";
import { plan as computePlan } from "../reconcile/plan.js";
import type { RetryPolicy, RetryRuntime } from "../reconcile/retry.js";
import type { LockInfo, StateSnapshot, StateStore } from "../state/contract.js";
import { applyPlan } from "./apply-pass.js";
import { windowOpen, type ChangeWindow } from "./change-window.js";
import type { Clock } from "./clock.js";
import { literalGlob, specHashes, type ResourceHealth } from "./health.js";
import type { Leadership } from "./leadership.js";
import type { PassResult, WatchMode } from "./pass-types.js";

/** Opens provider sessions; `connectProviders` from the CLI in production, a fake in unit tests. */
export type ConnectFn = (names: string[], desired: DesiredState, opts: { stack: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; onRequest?: ConnectOptions["onRequest"] }) => Promise<Connections>;

/** Everything a pass needs; built once by the daemon. */
export interface PassContext {
  stack: string;
  /** Manifest paths, absolute or relative to `cwd`. */
  paths: string[];
  cwd: string;
  store: StateStore;
  env: NodeJS.ProcessEnv;
  mode: WatchMode;
  planOptions: { targets: string[]; excludes: string[]; allowMassDelete: boolean };
  windows: ChangeWindow[];
  health: ResourceHealth;
  leadership: Leadership;
  clock: Clock;
  connect: ConnectFn;
  parallelism: number;
  /** `stop`: start nothing new (SIGTERM); `abort`: cancel in-flight steps too. */
  stop: AbortSignal;
  abort: AbortSignal;
  onEvent: (event: ExecEvent) => void;
  onRequest?: ConnectOptions["onRequest"];
  /** Executor retry settings (tests run retries without waiting). */
  execution?: { retry?: RetryPolicy; runtime?: RetryRuntime };
  lockHolder: Omit<LockInfo, "id" | "acquiredAt">;
  /**
   * Observation caches kept between passes (memory): a pass reads only the objects whose list data
   * changed or whose last read is older than the provider's full-read interval. None: read all.
   */
  observeCache?: ObserveCacheStore;
  /** Parsed manifests kept between passes: a pass parses only the files whose text changed. */
  parseCache?: ParseCache;
}

/**
 * One reconcile: load the manifests (stop on any error), observe every provider in bulk, plan
 * (pure, capacity-checked and priced like `vmsync plan`) with backing-off and stalled resources
 * excluded and blocked steps set aside, and in apply
 * mode, inside a change window and while leader, apply under the state lock. The same three
 * functions `vmsync plan` and `vmsync apply` use: `observeAll`, `plan`, `execute`.
 */
export async function reconcilePass(ctx: PassContext, input: { reasons: string[]; revision?: string; lastRevision?: string }): Promise<PassResult> {
  const startedAt = ctx.clock.now();
  const meta = { startedAt, reasons: input.reasons, ...(input.revision ? { revision: input.revision } : {}) };
  const loaded = await loadManifests(ctx.paths, ctx.cwd, ctx.parseCache);
  if (loaded.errors > 0) return { ...meta, outcome: "invalid", diagnostics: loaded.diagnostics, finishedAt: ctx.clock.now() };
  const desired = loaded.desired;
  ctx.health.refresh(specHashes(desired.resources));

  let state = await ctx.store.read();
  let connections: Connections | undefined;
  // cancelling (the shutdown's deadline, a second signal) also ends calls that take no signal (observe)
  const closeEarly = () => void connections?.close();
  ctx.abort.addEventListener("abort", closeEarly, { once: true });
  try {
    connections = await ctx.connect(providersInUse(desired, state), desired, { stack: ctx.stack, env: ctx.env, signal: ctx.stop, ...(ctx.onRequest ? { onRequest: ctx.onRequest } : {}) });
    const conn = connections;
    const held = ctx.health.excludes(ctx.clock.now());
    const billed = [...conn.providers].filter(([, p]) => p.billing).map(([name]) => name).sort();
    const planFrom = async (s: StateSnapshot) => {
      const caches = ctx.observeCache ? await openCaches(ctx.observeCache, [...conn.sessions.keys()], { desired, state: s, env: ctx.env, now: ctx.clock.now(), reuse: true, reuseOnlyWhenSet: true }) : undefined;
      // the price table is read every pass, so a `vmsync prices update` is used from the next one on
      const [seen, capacity, prices] = await Promise.all([observeAll(conn.sessions, desired, s, caches), readCapacity(conn.sessions, desired), loadPriceTable(ctx.env)]);
      const once = (extra: string[]) => (o: Map<string, ObservedResource[]>) => computePlan({
        stack: ctx.stack, desired, observed: o, state: s, providers: conn.providers, capacity, prices: { table: prices.table, which: prices.which },
        options: { ...ctx.planOptions, excludes: [...ctx.planOptions.excludes, ...extra.map(literalGlob)], refreshOnly: ctx.mode === "observe" },
      });
      const first = await planFreshly({ sessions: conn.sessions, observed: seen, plan: once(held) });
      const blocked = first.plan.steps.filter((st) => st.blocked);
      const final = blocked.length ? await planFreshly({ sessions: conn.sessions, observed: first.observed, plan: once([...held, ...blocked.map((b) => b.address)]) }) : first;
      if (caches) await saveCaches(ctx.observeCache!, caches);
      // the fleet's cost covers held and blocked resources too: they exist, and are billed
      const cost = held.length ? once([])(final.observed).cost : first.plan.cost;
      const pricing = { currency: prices.table.currency, priceDate: prices.table.date, priceTable: prices.which, billed, ...(cost ? { cost } : {}) };
      return { plan: final.plan, blocked, observed: final.observed, capacity, pricing };
    };
    let { plan, blocked, observed, capacity, pricing } = await planFrom(state);
    const base = { ...meta, outcome: "reconciled" as const, desired, blocked, held, observed, capacity, pricing, current: plan };
    const needsApply = plan.steps.some((s) => s.action !== "noop" || s.adopt);
    const newRevision = input.revision !== undefined && input.revision !== input.lastRevision;
    if (ctx.mode !== "apply" || (!needsApply && !newRevision)) return { ...base, plan, finishedAt: ctx.clock.now() };
    const heldBack = plan.errors.length ? "plan-errors" : !windowOpen(ctx.windows, ctx.clock.now()) ? "change-window" : !ctx.leadership.isLeader() ? "not-leader" : ctx.stop.aborted ? "stopping" : undefined;
    if (heldBack) return { ...base, plan, heldBack, finishedAt: ctx.clock.now() };

    const outcome = await applyPlan(ctx, {
      plan, connections: conn, desired, revision: input.revision,
      // another apply may have committed since we planned: plan again from the state we now hold
      replan: async (s) => {
        state = s;
        ({ plan, blocked, observed, capacity, pricing } = await planFrom(s));
        return plan;
      },
      planSerial: state.serial,
    });
    if (outcome.lockedBy) return { ...base, plan, blocked, observed, capacity, pricing, current: plan, heldBack: "state-locked", lockedBy: outcome.lockedBy, finishedAt: ctx.clock.now() };
    // what is now (for views): observe again after an apply that ran steps; nothing is applied from it
    const after = outcome.apply?.steps.length ? await planFrom(await ctx.store.read()).catch(() => undefined) : undefined;
    return {
      ...base, plan: outcome.plan, blocked, observed: after?.observed ?? observed, capacity: after?.capacity ?? capacity, pricing: after?.pricing ?? pricing, current: after?.plan ?? outcome.plan,
      ...(outcome.apply ? { apply: outcome.apply } : {}), finishedAt: ctx.clock.now(),
    };
  } catch (err) {
    return { ...meta, outcome: "failed", error: err instanceof Error ? err.message : String(err), desired, finishedAt: ctx.clock.now() };
  } finally {
    ctx.abort.removeEventListener("abort", closeEarly);
    await connections?.close();
  }
}
