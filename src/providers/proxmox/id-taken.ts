import type { OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { markerOf, readGuest } from "./guests.js";
import type { MarkerLine } from "./marker.js";
import type { GuestView } from "./normalise.js";
import { sleep } from "./sync.js";

/** Where a guest is. */
export type GuestRef = { node: string; vmid: number };

/** Reads a guest's config: a VM's (`readGuest`, the default) or a container's. */
export type GuestReader = (c: ProxmoxContext, node: string, vmid: number, signal?: AbortSignal) => Promise<GuestView | undefined>;

/** True when PVE refused an id because a guest already has it. */
export function isIdTaken(err: unknown): boolean {
  const text = err instanceof ProxmoxApiError ? err.detail : err instanceof ProxmoxTaskError ? err.exitStatus : "";
  return /already exists/i.test(text);
}

/**
 * Whether the guest holding `vmid` (which PVE said exists) is this create's own, e.g. from a request
 * that reached PVE although its answer was lost. Waits briefly while it is still locked by its create.
 */
export async function ownsId(c: ProxmoxContext, node: string, vmid: number, marker: MarkerLine, op: OperationContext, read: GuestReader = readGuest): Promise<GuestView | undefined> {
  for (let i = 0; i < 30; i++) {
    const g = await read(c, node, vmid, op.signal);
    if (!g) return undefined;
    const m = markerOf(g);
    if (m) return m.stack === marker.stack && m.address === marker.address ? g : undefined;
    if (!/^(create|clone)$/.test(String(g.config.lock ?? ""))) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}


/**
 * Runs a create/clone dispatch for `address` at `ref`, remembering it as abandoned when the wait for
 * its task is given up (deadline or cancellation) so that the retry waits for it (`resumeAbandoned`).
 */
export async function tracked<T>(c: ProxmoxContext, address: string, ref: GuestRef, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  c.abandoned.set(address, ref);
  try {
    const out = await fn();
    c.abandoned.delete(address);
    return out;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== "PROXMOX_TASK_TIMEOUT" && code !== "CANCELLED" && !signal?.aborted) c.abandoned.delete(address);
    throw err;
  }
}

/** Waits for an abandoned create of `address` to finish; its guest when that is this create's own. */
export async function resumeAbandoned(c: ProxmoxContext, address: string, marker: MarkerLine, op: OperationContext, read: GuestReader = readGuest): Promise<GuestView | undefined> {
  const ref = c.abandoned.get(address);
  if (!ref) return undefined;
  for (;;) {
    if (Date.now() > op.deadline) throw Object.assign(new Error(`the earlier create of ${address} (VM ${ref.vmid}) is still running`), { code: "PROXMOX_TASK_TIMEOUT", retryable: false });
    const g = await read(c, ref.node, ref.vmid, op.signal);
    if (g && /^(create|clone)$/.test(String(g.config.lock ?? ""))) {
      await sleep(200, op.signal);
      continue;
    }
    c.abandoned.delete(address);
    const m = g ? markerOf(g) : undefined;
    return g && m?.stack === marker.stack && m.address === marker.address ? g : undefined;
  }
}
