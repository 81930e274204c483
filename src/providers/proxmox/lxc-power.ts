import type { ProxmoxContext } from "./context.js";
import { ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { ctPath } from "./lxc-guests.js";
import { runTask, type WaitContext } from "./tasks.js";

/**
 * Container power actions (`vzstart`, `vzshutdown`, `vzstop`, `vzreboot`), each waited for and
 * idempotent the way a reconciler needs. pve-container answers a start of a running container and
 * a stop/shutdown of a stopped one with a synchronous 500 (`CT <id> already running`,
 * `CT <id> not running`): those count as done.
 */
export type CtPowerAction = "start" | "shutdown" | "stop" | "reboot";

const PARAMS: Record<CtPowerAction, Record<string, number>> = {
  start: {},
  // clean shutdown, killed after 60 s so a container that ignores it cannot stall the step
  shutdown: { timeout: 60, forceStop: 1 },
  stop: {},
  reboot: { timeout: 60 },
};

/** Runs `action` on the container and waits for it. */
export async function ctPower(c: ProxmoxContext, g: { node: string; vmid: number }, action: CtPowerAction, ctx: WaitContext): Promise<void> {
  try {
    await runTask(c.api, { method: "POST", path: `${ctPath(g)}/status/${action}`, params: PARAMS[action] }, ctx);
  } catch (err) {
    const text = err instanceof ProxmoxTaskError ? err.exitStatus : err instanceof ProxmoxApiError ? err.detail : "";
    if (action === "start" && /already running/i.test(text)) return;
    if ((action === "stop" || action === "shutdown") && /not running/i.test(text)) return;
    throw err;
  }
}

/** True when the container has changes waiting for a restart (values or deletions). */
export async function ctHasPending(c: ProxmoxContext, g: { node: string; vmid: number }, ctx: WaitContext): Promise<boolean> {
  const entries = await c.api.get<Array<{ pending?: unknown; delete?: unknown }>>(`${ctPath(g)}/pending`, undefined, ctx.signal ? { signal: ctx.signal } : {});
  return entries.some((e) => e.pending !== undefined || (e.delete !== undefined && Number(e.delete) > 0));
}
