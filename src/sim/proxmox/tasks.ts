import { errorText } from "./errors.js";
import type { TaskRecord, WorldData } from "./world.js";

/** Who called: the task owner recorded in the UPID (`user@realm` or `user@realm!tokenid`). */
export interface Caller {
  user: string;
  tokenid?: string;
}

/** What a running worker may do: append log lines and wait out the simulated work. */
export interface TaskContext {
  upid: string;
  log(line: string): void;
  /** Waits `taskDurationMs` (or `ms`); returns at once when the simulator is shutting down. */
  work(ms?: number): Promise<void>;
}

/** A worker to fork. `run` throwing makes the task end with the error text as `exitstatus`. */
export interface TaskSpec {
  node: string;
  type: string;
  id: string;
  caller: Caller;
  run(task: TaskContext): Promise<void>;
  /** When set, the task fails with this text (fault injection) without running. */
  injectedFailure?: string;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, "0");

/** Builds a UPID exactly as pve-common UPID.pm::encode does (upper-case hex, trailing colon). */
export function encodeUpid(t: Pick<TaskRecord, "node" | "pid" | "pstart" | "starttime" | "type" | "id" | "user">): string {
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
}

/** True when `upid` has the shape UPID.pm::decode accepts. */
export function isUpid(upid: string): boolean {
  return /^UPID:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s]+:[^:\s]*:[^:\s]+:$/.test(upid);
}

/**
 * Forks simulated workers: each gets a UPID, is `running` until its `run` settles, then `stopped` with
 * `exitstatus` `OK` or the error text, and a log ending in `TASK OK` / `TASK ERROR: …`.
 * `drain()` fast-forwards every running worker (used on close so the persisted world is consistent).
 */
export class TaskManager {
  private readonly index = new Map<string, TaskRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private draining = false;

  constructor(
    private readonly world: () => WorldData,
    private readonly hooks: { durationMs(): number; changed(): void },
  ) {
    for (const t of world().tasks) {
      if (t.status === "running") {
        t.status = "stopped";
        t.exitstatus = "unexpected status";
        t.endtime = t.starttime;
      }
      this.index.set(t.upid, t);
    }
  }

  /** Forks `spec` and returns its UPID at once (HTTP 200 with the UPID, as PVE does after fork). */
  start(spec: TaskSpec): string {
    const w = this.world();
    w.pidCounter = (w.pidCounter + 1) % 0x3fffff || 0x1000;
    const user = spec.caller.tokenid ? `${spec.caller.user}!${spec.caller.tokenid}` : spec.caller.user;
    const base = {
      node: spec.node,
      pid: w.pidCounter,
      pstart: 0x100000 + ((w.pidCounter * 7919) % 0xeffff),
      starttime: Math.floor(Date.now() / 1000),
      type: spec.type,
      id: spec.id,
      user,
    };
    const record: TaskRecord = { ...base, upid: encodeUpid(base), status: "running", log: [] };
    if (spec.caller.tokenid) {
      record.user = spec.caller.user;
      record.tokenid = spec.caller.tokenid;
    }
    w.tasks.push(record);
    this.index.set(record.upid, record);
    this.hooks.changed();
    const ctx: TaskContext = {
      upid: record.upid,
      log: (line) => record.log.push(line),
      work: (ms) => this.sleep(ms ?? this.hooks.durationMs()),
    };
    const p = (async () => {
      try {
        if (spec.injectedFailure !== undefined) {
          await ctx.work(Math.min(this.hooks.durationMs(), 20));
          throw new Error(spec.injectedFailure);
        }
        await spec.run(ctx);
        record.exitstatus = "OK";
        record.log.push("TASK OK");
      } catch (err) {
        const text = errorText(err);
        record.exitstatus = text;
        record.log.push(`TASK ERROR: ${text}`);
      } finally {
        record.status = "stopped";
        record.endtime = Math.floor(Date.now() / 1000);
        this.hooks.changed();
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return record.upid;
  }

  /** The task with this UPID, if known. */
  find(upid: string): TaskRecord | undefined {
    return this.index.get(upid);
  }

  /** All tasks, newest first. */
  list(): TaskRecord[] {
    return [...this.world().tasks].reverse();
  }

  /** Fast-forwards and awaits every running worker. */
  async drain(): Promise<void> {
    this.draining = true;
    while (this.running.size > 0) {
      for (const wake of [...this.sleepers]) wake();
      await Promise.allSettled([...this.running]);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.draining || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
