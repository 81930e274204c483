import type { KeyedMutex } from "../concurrency.js";
import type { DesiredProvider } from "../../manifest/model.js";
import type { AzureProviderSpec } from "../../manifest/schema/index.js";
import type { OperationContext } from "../contract.js";
import type { AzureClients } from "./connection.js";
import { untilDone } from "./lro.js";

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
  /** Serialises changes to one VNet within the session. */
  locks: KeyedMutex;
  /** Subnet ids found or created in this session, by `subnetKey` (never re-read). */
  subnets: Map<string, string>;
  /** How many desired VMs name each subnet (`subnetKey`), learnt by observe: sizes the subnets vmsync creates. */
  subnetDemand: Map<string, number>;
}

/**
 * Runs a long-running operation started by `start` (given the options for the SDK call) and waits
 * for it, polling adaptively and honouring `Retry-After` (see lro.ts).
 */
export function lro<T>(ctx: AzureContext, op: Pick<OperationContext, "signal"> | undefined, start: Parameters<typeof untilDone<T>>[2]): Promise<T> {
  return untilDone(ctx.clients.pacing, op, start);
}

/** Options for a plain (non-LRO) SDK call. */
export function call(op?: Pick<OperationContext, "signal">): { abortSignal?: AbortSignal } {
  return op ? { abortSignal: op.signal } : {};
}

/** Runs `fn` after every earlier holder of `key` (case-insensitive, as ARM names are) in this session finished. */
export function withLock<T>(ctx: AzureContext, key: string, fn: () => Promise<T>): Promise<T> {
  return ctx.locks.run(key.toLowerCase(), fn);
}

export { mapLimit } from "../concurrency.js";

/** Collects an async iterable (an SDK pager: every page followed) into an array. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
