import { ProviderError, type OperationContext, type PowerActions } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { guestPath } from "./guests.js";
import { ctPath } from "./lxc-guests.js";
import { ctPower } from "./lxc-power.js";
import { parseGuestId } from "./normalise.js";
import { runTask, type WaitContext } from "./tasks.js";

/**
 * Power actions on a guest, each a UPID task waited for. They are idempotent the way a reconciler
 * needs: starting a running guest and stopping a stopped one count as done.
 */
export type PowerAction = "start" | "shutdown" | "stop" | "reboot";

const PARAMS: Record<PowerAction, Record<string, number>> = {
  start: {},
  // ACPI shutdown, hard stop after 60 s so a guest without ACPI cannot stall the step
  shutdown: { timeout: 60, forceStop: 1 },
  stop: {},
  reboot: {},
};

/** Runs `action` on the guest and waits for it. */
export async function power(c: ProxmoxContext, g: { node: string; vmid: number }, action: PowerAction, ctx: WaitContext): Promise<void> {
  try {
    await runTask(c.api, { method: "POST", path: `${guestPath(g)}/status/${action}`, params: PARAMS[action] }, ctx);
  } catch (err) {
    const text = err instanceof ProxmoxTaskError ? err.exitStatus : err instanceof ProxmoxApiError ? err.detail : "";
    if (action === "start" && /already running/i.test(text)) return;
    if ((action === "stop" || action === "shutdown") && /not running/i.test(text)) return;
    throw err;
  }
}

/** True when the guest has pending changes (values or deletions waiting for a restart). */
export async function hasPending(c: ProxmoxContext, g: { node: string; vmid: number }, ctx: WaitContext): Promise<boolean> {
  const entries = await c.api.get<Array<{ pending?: unknown; delete?: unknown }>>(`${guestPath(g)}/pending`, undefined, ctx.signal ? { signal: ctx.signal } : {});
  return entries.some((e) => e.pending !== undefined || (e.delete !== undefined && Number(e.delete) > 0));
}

/** True when the guest runs now (`status/current`, one read). */
export async function isRunning(c: ProxmoxContext, g: { node: string; vmid: number }, ctx: WaitContext, kind = "VirtualMachine"): Promise<boolean> {
  const current = await c.api.get<{ status?: string }>(`${kind === "Container" ? ctPath(g) : guestPath(g)}/status/current`, undefined, ctx.signal ? { signal: ctx.signal } : {});
  return current.status === "running";
}

/**
 * `vmsync restart` on Proxmox: `POST status/reboot` (a `qmreboot` / `vzreboot` task: clean shutdown,
 * then start, applying pending changes), waited for, for VMs and containers. A guest that is not
 * running is refused, never started.
 */
export function proxmoxPower(c: ProxmoxContext): PowerActions {
  return {
    restart: (target, ctx: OperationContext) =>
      inContext(`restart proxmox ${target.kind === "Container" ? "container" : "vm"} ${target.externalId}`, async () => {
        if (target.kind !== "VirtualMachine" && target.kind !== "Container") throw new ProviderError(`${target.kind} cannot be restarted`, { code: "UNSUPPORTED", retryable: false });
        const g = parseGuestId(target.externalId);
        if (!(await isRunning(c, g, ctx, target.kind))) throw new ProviderError("it is not running; restart never starts a stopped guest", { code: "NOT_RUNNING", retryable: false });
        if (target.kind === "Container") await ctPower(c, g, "reboot", ctx);
        else await power(c, g, "reboot", ctx);
      }),
  };
}
