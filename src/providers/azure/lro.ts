/**
 * Waiting for ARM long-running operations. The SDKs poll at a fixed interval (2 s by default) and
 * ignore `Retry-After` on the first response; vmsync polls itself instead: soon after the start
 * (most network operations end within a second), then less and less often (×1.5 up to
 * `maxIntervalMs`, 5 s), and whenever ARM says when to come back (`Retry-After`, also on the first
 * response) exactly then — as ARM asks clients to. The request policy records `Retry-After` into the
 * wait it belongs to (AsyncLocalStorage), so concurrent waits never mix them.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { OperationContext } from "../contract.js";
import { pause } from "../concurrency.js";
import { retryAfterMsOf } from "./errors.js";

/** What the SDK pollers of either generation let vmsync do. */
interface AbortOptions {
  abortSignal?: AbortSignal;
}
/** core-lro 3 (modular clients: compute, storage): a thenable that starts on creation. */
interface ModularPoller<T> {
  submitted(): Promise<void>;
  readonly isDone: boolean;
  poll(options?: AbortOptions): Promise<unknown>;
  pollUntilDone(options?: AbortOptions): Promise<T>;
}
/** core-lro 2 (classic clients: network, resources): `beginX` resolves to it after the first poll. */
interface ClassicPoller<T> {
  isDone(): boolean;
  poll(options?: AbortOptions): Promise<unknown>;
  pollUntilDone(options?: AbortOptions): Promise<T>;
}

/** Options handed to the SDK call that starts an operation. */
export interface LroStartOptions {
  abortSignal?: AbortSignal;
  /** Unused (vmsync polls itself); large so that the SDK never waits on its own. */
  updateIntervalInMs: number;
}

/** The pacing of polls: first wait, and the longest wait without a `Retry-After`. */
export interface PollPacing {
  firstIntervalMs: number;
  maxIntervalMs: number;
}

/** Default pacing; `VMSYNC_AZURE_POLL_MS` caps it (tests against the simulator use a few ms). */
export function pollPacing(env: NodeJS.ProcessEnv): PollPacing {
  const cap = Number(env.VMSYNC_AZURE_POLL_MS ?? "");
  const max = Number.isFinite(cap) && cap > 0 ? cap : 5000;
  return { firstIntervalMs: Math.min(100, max), maxIntervalMs: max };
}

const waits = new AsyncLocalStorage<{ retryAfterMs?: number }>();

/** For the request policy: remembers a response's `Retry-After` for the operation wait it belongs to. */
export function noteRetryAfter(headers: { get(name: string): string | undefined }): void {
  const wait = waits.getStore();
  if (!wait) return;
  const ms = retryAfterMsOf(headers);
  if (ms !== undefined) wait.retryAfterMs = ms;
}

/**
 * Starts an operation with `start` (an SDK call of either generation, given `LroStartOptions`) and
 * waits for it as the module comment says; resolves with the SDK's result or throws the SDK's error.
 */
export function untilDone<T>(pacing: PollPacing, op: Pick<OperationContext, "signal"> | undefined, start: (o: LroStartOptions) => ModularPoller<T> | Promise<ClassicPoller<T>>): Promise<T> {
  const wait: { retryAfterMs?: number } = {};
  const signal = op?.signal;
  const abort = signal ? { abortSignal: signal } : {};
  return waits.run(wait, async () => {
    const started = start({ ...abort, updateIntervalInMs: 3_600_000 });
    let done: () => boolean;
    let poller: ModularPoller<T> | ClassicPoller<T>;
    if (typeof (started as ModularPoller<T>).submitted === "function") {
      const modular = started as ModularPoller<T>;
      await modular.submitted();
      poller = modular;
      done = () => modular.isDone;
    } else {
      const classic = await (started as Promise<ClassicPoller<T>>);
      poller = classic;
      done = () => classic.isDone();
    }
    let interval = pacing.firstIntervalMs;
    while (!done()) {
      const ms = wait.retryAfterMs ?? interval;
      wait.retryAfterMs = undefined;
      await pause(ms, signal);
      await poller.poll(abort);
      interval = Math.min(pacing.maxIntervalMs, Math.ceil(interval * 1.5));
    }
    return poller.pollUntilDone(abort);
  });
}
