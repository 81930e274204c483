import { fail } from "./errors.js";
import type { RequestContext } from "./router.js";
import type { TaskContext } from "./tasks.js";
import type { VmRecord } from "./world.js";

/**
 * Helpers shared by the guest endpoints: the config `lock` check (`VM is locked (…)`) and forking a
 * guest worker that holds the per-guest flock while it works.
 */

/** Dies with `VM is locked (<lock>)` when the config carries a lock (unless `skiplock`). */
export function checkConfigLock(vm: VmRecord, skiplock = false): void {
  const lock = vm.conf.lock;
  if (lock !== undefined && !skiplock) fail(`VM is locked (${lock})`);
}

/** A guest worker: `flock` says how the per-guest lock is held while `run` works. */
export interface VmTaskSpec {
  node: string;
  vmid: number;
  type: string;
  flock: "exclusive" | "shared" | "none";
  /** Flock wait; defaults to the simulator's `lockTimeoutMs`. */
  lockTimeoutMs?: number;
  /** `lxc` for a container (its lock file and texts differ). */
  guestType?: "lxc";
  run(task: TaskContext): Promise<void>;
}

/** Forks a guest worker and returns its UPID; fault injection may make it fail with a lock timeout. */
export function forkVmTask(ctx: RequestContext, spec: VmTaskSpec): string {
  const { sim } = ctx;
  return sim.tasks.start({
    node: spec.node,
    type: spec.type,
    id: String(spec.vmid),
    caller: ctx.caller,
    ...(ctx.injectedTaskFailure !== undefined ? { injectedFailure: ctx.injectedTaskFailure } : {}),
    run: async (task) => {
      if (spec.flock === "none") return spec.run(task);
      const release = await sim.locks.acquire(spec.vmid, spec.flock, spec.lockTimeoutMs ?? sim.tunables.lockTimeoutMs, spec.guestType);
      try {
        await spec.run(task);
      } finally {
        release();
      }
    },
  });
}

/** Runs `fn` synchronously for the request while holding the guest's exclusive flock (PUT config). */
export async function withGuestLock<T>(ctx: RequestContext, vmid: number, fn: () => T, type?: "lxc"): Promise<T> {
  const release = await ctx.sim.locks.acquire(vmid, "exclusive", ctx.sim.tunables.lockTimeoutMs, type);
  try {
    return fn();
  } finally {
    release();
  }
}

/**
 * Takes an injected task failure off the request so the worker can raise it itself, after its own
 * setup and with its own cleanup (a create or clone that fails removes what it reserved, as PVE's
 * workers do) — instead of failing before the worker runs.
 */
export function failInsideWorker(ctx: RequestContext): { ctx: RequestContext; fault: () => void } {
  const injected = ctx.injectedTaskFailure;
  const { injectedTaskFailure: _dropped, ...rest } = ctx;
  return {
    ctx: rest,
    fault: () => {
      if (injected !== undefined) throw new Error(injected);
    },
  };
}
