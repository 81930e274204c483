import { durationToMs } from "../manifest/units.js";
import { realRuntime } from "../reconcile/retry.js";
import type { ObservedResource, OperationContext } from "../providers/contract.js";
import type { GuestSshSpec } from "./canonical.js";
import type { SshConnection } from "./ssh/connect.js";
import { GuestError, isGuestError } from "./ssh/errors.js";
import { addressOf, isRunning } from "./vm-locator.js";

/** How a readiness wait finds the VM: what is known already, and a fresh look through its provider. */
export interface VmFinder {
  cached(): ObservedResource | undefined;
  refresh(): Promise<ObservedResource | undefined>;
}

/** Pause between attempts: short at first (a guest that just booted), then up to 15 s. */
function pause(attempt: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.min(attempt, 4));
}

/**
 * Waits until the guest answers SSH and returns the open connection: the VM must run and have an
 * address (`ssh.address`, else the provider's), and the login must succeed. While the guest boots
 * (no address yet, connection refused or timing out) it tries again, looking the VM up again
 * through its provider, until `ssh.readyTimeout` or the step's deadline; a refused key or a changed
 * host key fails at once (waiting does not fix them). Giving up is GUEST_NOT_READY, which is not
 * retried again: the wait was the retry.
 */
export async function reach(vms: VmFinder, ctx: OperationContext, input: { ssh: GuestSshSpec; what: string; open: (host: string) => Promise<SshConnection> }): Promise<{ conn: SshConnection; host: string }> {
  const until = Math.min(ctx.deadline, Date.now() + (durationToMs(input.ssh.readyTimeout) ?? 300_000));
  let last: GuestError | undefined;
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) throw new GuestError(`stopped waiting for ${input.what}: cancelled`, "GUEST_TIMEOUT");
    const vm = attempt === 0 && vms.cached() ? vms.cached() : await vms.refresh();
    const host = input.ssh.address ?? (vm ? addressOf(vm) : undefined);
    if (!vm) last = new GuestError(`${input.what}: its VM is not found`, "GUEST_NO_ADDRESS");
    else if (!isRunning(vm)) last = new GuestError(`${input.what}: its VM is not running`, "GUEST_NO_ADDRESS");
    else if (!host) last = new GuestError(`${input.what}: the provider reports no address for its VM yet (Proxmox: the guest agent must run in it), and spec.guest.address is not set`, "GUEST_NO_ADDRESS");
    else {
      try {
        return { conn: await input.open(host), host };
      } catch (err) {
        if (!isGuestError(err) || !err.retryable) throw err;
        last = err;
      }
    }
    const wait = pause(attempt);
    if (Date.now() + wait > until) throw new GuestError(`gave up waiting for ${input.what} to answer SSH after ${attempt + 1} attempts: ${last.message}`, "GUEST_NOT_READY", last);
    await realRuntime.sleep(wait, ctx.signal);
  }
}
