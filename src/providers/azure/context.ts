import type { DesiredProvider } from "../../manifest/model.js";
import type { AzureProviderSpec } from "../../manifest/schema/index.js";
import type { OperationContext } from "../contract.js";
import type { AzureClients } from "./connection.js";

/**
 * What every operation of a session shares: the clients, the stack (for markers), the provider's
 * defaults, caches (resource groups known to exist, where NFS shares live) and per-key locks that
 * serialise changes to one virtual network within the session.
 */
export interface AzureContext {
  clients: AzureClients;
  stack: string;
  config: DesiredProvider;
  spec: AzureProviderSpec;
  /** Resource groups known to exist (lower case). */
  groups: Set<string>;
  /** NfsShare name → its storage account (group, name), learnt from observe and create. */
  shareAccounts: Map<string, { resourceGroup: string; account: string }>;
  locks: Map<string, Promise<unknown>>;
}

/** Options for one SDK call: cancellation and, for LROs, the poll interval. */
export function lro(ctx: AzureContext, op?: Pick<OperationContext, "signal">): { updateIntervalInMs: number; abortSignal?: AbortSignal } {
  return { updateIntervalInMs: ctx.clients.pollMs, ...(op ? { abortSignal: op.signal } : {}) };
}

/** Options for a plain (non-LRO) SDK call. */
export function call(op?: Pick<OperationContext, "signal">): { abortSignal?: AbortSignal } {
  return op ? { abortSignal: op.signal } : {};
}

/** Runs `fn` after every earlier holder of `key` in this session finished (a per-key mutex). */
export async function withLock<T>(ctx: AzureContext, key: string, fn: () => Promise<T>): Promise<T> {
  const k = key.toLowerCase();
  const prev = ctx.locks.get(k) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => {});
  ctx.locks.set(k, tail);
  try {
    return await run;
  } finally {
    if (ctx.locks.get(k) === tail) ctx.locks.delete(k);
  }
}

export { mapLimit } from "../concurrency.js";

/** Collects an async iterable (an SDK pager: every page followed) into an array. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
