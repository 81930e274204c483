import { defaultKnobs, type SimKnobs } from "../knobs.js";

/**
 * How an injected long-running-operation failure reaches the client (reference §4, "LRO failure shapes"):
 * - `status-failed`: the operation status ends `{"status":"Failed","error":{code,message}}`. For
 *   operations polled through `Azure-AsyncOperation` (VMs, disks, snapshots, network) both SDK
 *   generations throw a plain `Error` "The long-running operation has failed. CODE. MESSAGE". For
 *   operations polled through a `Location` monitor (storage account create, resource group delete) the
 *   monitor answers **200** with that body and the SDK *resolves* — with `{}` for the storage account.
 * - `http-error`: the poll answers `httpStatus` (default 400) with `{"error":{code,message}}`; the SDK
 *   throws a `RestError` carrying that status and code.
 */
export type LroFailureShape = "status-failed" | "http-error";

/**
 * A rule that makes matching long-running operations fail. `operation` is an SDK-style name such as
 * `virtualMachines.createOrUpdate`, `virtualMachines.start`, `storageAccounts.create`,
 * `resourceGroups.delete`, or `*` for any; `times` (default 1) is decremented per match.
 */
export interface LroFailureRule {
  operation: string;
  shape: LroFailureShape;
  code: string;
  message: string;
  httpStatus?: number;
  times?: number;
}

/**
 * A deterministic transient fault: the next `count` requests (default 1) matching `method` and
 * `pathContains` (both optional) get `status` (429, 500, 503 …) with an ARM error body and, for
 * 429/503, `Retry-After`.
 */
export interface FaultRule {
  status: number;
  count?: number;
  method?: string;
  pathContains?: string;
  code?: string;
}

/**
 * Azure simulator knobs: the shared `SimKnobs` plus
 * - `pageSize`: items per list page (a `nextLink` follows while more remain);
 * - `throttleRetryAfterMs`: the wait a 429/503 fault asks for. Sent as `Retry-After` in whole seconds
 *   (rounded up, as ARM does); when below 1000 or not a whole second it is *also* sent as
 *   `retry-after-ms`, which the SDK retry policy prefers — a simulator-only aid to keep tests fast;
 * - `pollRetryAfterSeconds`: `Retry-After` on async-operation polls (0 = omitted, the default, so the
 *   client's `updateIntervalInMs` applies; reference §4 "Timing");
 * - `lroFailures`: injected LRO failures (see `LroFailureRule`);
 * - `storageAclFailureShape`: how a storage account create whose vnet rule names a subnet without the
 *   `Microsoft.Storage` service endpoint fails (real Microsoft.Storage: `status-failed`, i.e. a 200
 *   monitor with a failed body — the SDK resolves with `{}`);
 * - `vcpuQuota`: limits of the compute usages by usage name (`cores`, `standardDSv5Family`, …);
 *   unnamed ones keep the defaults of usages.ts.
 */
export interface AzureSimKnobs extends SimKnobs {
  pageSize: number;
  throttleRetryAfterMs: number;
  pollRetryAfterSeconds: number;
  lroFailures: LroFailureRule[];
  storageAclFailureShape: LroFailureShape;
  vcpuQuota: Record<string, number>;
}

/** Defaults: the shared defaults, 100 items a page, 1 s throttling waits, no poll Retry-After. */
export const defaultAzureKnobs: AzureSimKnobs = {
  ...defaultKnobs,
  pageSize: 100,
  throttleRetryAfterMs: 1000,
  pollRetryAfterSeconds: 0,
  lroFailures: [],
  storageAclFailureShape: "status-failed",
  vcpuQuota: {},
};
