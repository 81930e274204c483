import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import pLimit from "p-limit";
import type { ProviderSession } from "../providers/contract.js";
import type { HistoryEntry, HistoryStep, ResourceRecord } from "../state/contract.js";
import { connectProviders } from "./connect.js";
import { CommandFailed } from "./errors.js";
import type { CliIO } from "./io.js";
import type { Workspace } from "./workspace.js";

/** Most actions in flight at once (each waits for a provider task). */
const ACTION_CONCURRENCY = 4;

/** A step's deadline: restarts and rollbacks wait for guest shutdowns. */
const ACTION_DEADLINE_MS = 30 * 60_000;

/** What one action did to one resource. `skipped` carries why (e.g. a stopped VM is not restarted). */
export interface ActionOutcome {
  address: string;
  result: "succeeded" | "failed" | "skipped";
  message?: string;
}

/** A per-resource action: resolves with what to print, or throws. Return `{skip}` to skip it. */
export type ResourceActionFn = (session: ProviderSession, target: ResourceRecord, ctx: { signal: AbortSignal; deadline: number }) => Promise<string | { skip: string }>;

/**
 * Runs `fn` on each target (bounded concurrency; one failure does not stop the others) under the
 * state lock — so it never races an apply — and records one history entry for the run (who, when,
 * each target's outcome): the audit log of actions besides applies. Prints a line per target; when
 * any failed, the command exits 1.
 */
export async function runResourceAction(input: {
  ws: Workspace;
  out: CliIO;
  command: string;
  action: HistoryStep["action"];
  targets: ResourceRecord[];
  fn: ResourceActionFn;
}): Promise<ActionOutcome[]> {
  const { ws, out } = input;
  const user = userInfo().username;
  const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user, command: `vmsync ${input.command}` });
  const startedAt = new Date().toISOString();
  let outcomes: ActionOutcome[] = [];
  try {
    const conn = await connectProviders([...new Set(input.targets.map((t) => t.provider))].sort(), ws.desired, { stack: ws.stack, env: out.env });
    try {
      const limit = pLimit(ACTION_CONCURRENCY);
      const signal = new AbortController().signal;
      outcomes = await Promise.all(
        input.targets.map((t) =>
          limit(async (): Promise<ActionOutcome> => {
            try {
              const r = await input.fn(conn.sessions.get(t.provider)!, t, { signal, deadline: Date.now() + ACTION_DEADLINE_MS });
              return typeof r === "string" ? { address: t.address, result: "succeeded", message: r } : { address: t.address, result: "skipped", message: r.skip };
            } catch (err) {
              return { address: t.address, result: "failed", message: err instanceof Error ? err.message : String(err) };
            }
          }),
        ),
      );
    } finally {
      await conn.close();
    }
    await ws.store.appendHistory(historyEntry({ command: input.command, action: input.action, outcomes, user, startedAt }));
  } finally {
    await lock.release();
  }
  report(out, outcomes);
  const failed = outcomes.filter((o) => o.result === "failed").length;
  if (failed) throw new CommandFailed(`${failed} of ${outcomes.length} failed`, false);
  return outcomes;
}

function historyEntry(x: { command: string; action: HistoryStep["action"]; outcomes: ActionOutcome[]; user: string; startedAt: string }): HistoryEntry {
  const failed = x.outcomes.filter((o) => o.result === "failed").length;
  return {
    id: randomUUID(), command: x.command, user: x.user, host: hostname(), startedAt: x.startedAt, finishedAt: new Date().toISOString(),
    result: failed === 0 ? "succeeded" : failed === x.outcomes.length ? "failed" : "partial",
    summary: { create: 0, update: 0, replace: 0, delete: 0 },
    steps: x.outcomes.map((o) => ({ address: o.address, action: x.action, result: o.result, ...(o.result !== "succeeded" && o.message ? { error: o.message } : {}) })),
  };
}

function report(out: CliIO, outcomes: ActionOutcome[]): void {
  const c = out.color;
  if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, results: outcomes }) + "\n");
  for (const o of outcomes) {
    const head = o.result === "succeeded" ? c.green(o.message ?? "done") : o.result === "skipped" ? c.yellow(`skipped: ${o.message ?? ""}`) : c.red(`failed: ${o.message ?? ""}`);
    out.stdout.write(`${o.address}: ${head}\n`);
  }
}
