import { ProviderError } from "../contract.js";
import type { ApiParams, ProxmoxApi } from "./api-client.js";
import { ProxmoxApiError, ProxmoxTaskError, type RequestInfo } from "./errors.js";
import { sleep } from "./sync.js";

/** Cancellation and deadline of a wait (an `OperationContext`, or a looser one for reads). */
export interface WaitContext {
  signal?: AbortSignal;
  /** Epoch ms after which waiting gives up. */
  deadline?: number;
}

/** The node a UPID runs on (its second field); task status must be asked there. */
export function upidNode(upid: string): string {
  return upid.split(":")[1] ?? "";
}

/**
 * Waits for a UPID task: polls `GET /nodes/{node}/tasks/{upid}/status` (after 50 ms, then backing
 * off by 1.5× to 1 s) until `status: stopped`. PVE's tasks take from tens of milliseconds to minutes;
 * polling faster only spends the provider's request rate (`rateLimit`, shared by every step in
 * flight) on "still running" answers — at 10 ms, 200 creates four at a time asked pveproxy for
 * ~8.5 requests per create and the rate limit, not the creates, set the pace. `OK` and `WARNINGS: n`
 * are success; any other exit status raises a `ProxmoxTaskError` naming the request that started the
 * task, with the exit status text. A `no such task` right after dispatch is polled again (PVE may not
 * list the task yet). Honours the signal and the deadline.
 */
export async function waitTask(api: ProxmoxApi, request: RequestInfo, upid: string, ctx: WaitContext = {}): Promise<void> {
  const path = `/nodes/${upidNode(upid)}/tasks/${encodeURIComponent(upid)}/status`;
  const started = Date.now();
  let delay = 50;
  for (;;) {
    if (ctx.deadline !== undefined && Date.now() > ctx.deadline) {
      throw new ProviderError(`${request.method} ${request.path}: gave up waiting for task ${upid} (step deadline passed; the task may still finish)`, { code: "PROXMOX_TASK_TIMEOUT", retryable: false });
    }
    await sleep(delay, ctx.signal);
    delay = Math.min(1000, Math.round(delay * 1.5));
    let status: { status?: string; exitstatus?: string } | undefined;
    try {
      status = await api.get(path, undefined, ctx.signal ? { signal: ctx.signal } : {});
    } catch (err) {
      const early = err instanceof ProxmoxApiError && err.status === 400 && /no such task/i.test(err.detail) && Date.now() - started < 5000;
      if (!early) throw err;
    }
    if (status?.status === "stopped") {
      const exit = String(status.exitstatus ?? "unexpected status");
      if (exit === "OK" || /^WARNINGS: \d+$/.test(exit)) return;
      throw new ProxmoxTaskError(request, upid, exit);
    }
  }
}

/**
 * Sends a task-starting request and waits for its task. PVE answers some of these synchronously
 * (`null`, e.g. resize on PVE ≤ 7): that counts as done. A task that fails with a transient exit
 * status (lock timeout, `got no worker upid`) is dispatched again up to `taskRetries` times (default
 * 3) — only use that for requests that are safe to repeat.
 */
export async function runTask(
  api: ProxmoxApi,
  call: { method: "POST" | "PUT" | "DELETE"; path: string; params?: ApiParams },
  ctx: WaitContext = {},
  taskRetries = 3,
): Promise<void> {
  const request: RequestInfo = { method: call.method, path: call.path };
  for (let attempt = 0; ; attempt++) {
    const opts = ctx.signal ? { signal: ctx.signal } : {};
    const upid =
      call.method === "POST" ? await api.post(call.path, call.params, opts)
      : call.method === "PUT" ? await api.put(call.path, call.params, opts)
      : await api.delete(call.path, call.params, opts);
    if (typeof upid !== "string" || !upid.startsWith("UPID:")) return;
    try {
      await waitTask(api, request, upid, ctx);
      return;
    } catch (err) {
      if (!(err instanceof ProxmoxTaskError) || !err.retryable || attempt >= taskRetries) throw err;
      await sleep(Math.min(2000, 100 * 2 ** attempt), ctx.signal);
    }
  }
}
