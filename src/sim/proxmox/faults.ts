import type { SimContext } from "./context.js";
import { PveError, lockTimeoutMessage } from "./errors.js";

/**
 * Seeded transient-fault injection. With probability `faultRate` an API request fails the way a busy
 * PVE cluster fails: 596/599 from pveproxy's forwarding, a synchronous 500 lock timeout on a guest,
 * or (for guest mutations) a forked task that ends with the lock-timeout error. The sequence depends
 * only on `seed` and the order of requests, so a run is reproducible.
 */
export type Fault =
  | { kind: "http"; error: PveError }
  | { kind: "task"; message: string };

/** Decides whether this request fails; consumes the fault generator only when `faultRate > 0`. */
export function pickFault(sim: SimContext, method: string, path: string): Fault | undefined {
  if (!sim.faultRng.chance(sim.knobs.faultRate)) return undefined;
  const guest = /\/(qemu|lxc)\/(\d+)/.exec(path);
  const vmid = guest?.[2];
  const type = guest?.[1] === "lxc" ? "lxc" : undefined;
  const mutation = method !== "GET";
  const roll = sim.faultRng.int(vmid && mutation ? 4 : 2);
  switch (roll) {
    case 0:
      return { kind: "http", error: new PveError(596, "Broken pipe\n") };
    case 1:
      return { kind: "http", error: new PveError(599, "Too many redirections\n") };
    case 2:
      return { kind: "http", error: new PveError(500, `${lockTimeoutMessage(Number(vmid), type)}\n`) };
    default:
      return { kind: "task", message: lockTimeoutMessage(Number(vmid), type) };
  }
}
