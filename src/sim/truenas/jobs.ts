/**
 * Middleware jobs (reference §3): WAITING → RUNNING (progress) → SUCCESS | FAILED | ABORTED,
 * taking `taskDurationMs`, encoded like `job.py __encode__`, announced as `core.get_jobs`
 * added/changed events. Jobs live in memory only (a restarted middleware forgets them).
 */
import { jobFailure } from "./errors.js";
import { sleep } from "../knobs.js";

/** Job states. */
export type JobState = "WAITING" | "RUNNING" | "SUCCESS" | "FAILED" | "ABORTED";

/** Lets a job body report progress. */
export interface JobControl {
  progress(percent: number, description: string): void;
}

/** The work of a job; runs after the simulated duration; throws to fail the job. */
export type JobBody = (ctl: JobControl) => Promise<unknown> | unknown;

interface Job {
  id: number;
  method: string;
  args: unknown[];
  state: JobState;
  progress: { percent: number | null; description: string | null; extra: unknown };
  result: unknown;
  failure: ReturnType<typeof jobFailure> | null;
  thrown: unknown;
  started: number;
  finished: number | null;
  messageIds: unknown[];
  username: string | null;
  done: Promise<void>;
  resolve: () => void;
}

/** Receives every job change: "added" once, then "changed" for each update. */
export type JobListener = (msg: "added" | "changed", id: number, fields: Record<string, unknown>) => void;

const KEEP_FINISHED = 2000;

/** Runs and remembers jobs; `duration()` is read when each job starts (so knobs apply live). */
export class JobManager {
  private jobs = new Map<number, Job>();
  private nextId = 1;
  private listeners = new Set<JobListener>();

  constructor(
    private readonly duration: () => number,
    private readonly withMessageIds: boolean,
  ) {}

  /** Subscribes to job events; returns the unsubscribe function. */
  listen(l: JobListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Starts a job and returns its id at once; the body runs after the simulated duration. */
  start(method: string, args: unknown[], body: JobBody, opts: { messageId?: unknown; username?: string | null } = {}): number {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const job: Job = {
      id: this.nextId++,
      method,
      args,
      state: "WAITING",
      progress: { percent: null, description: null, extra: null },
      result: null,
      failure: null,
      thrown: undefined,
      started: Date.now(),
      finished: null,
      messageIds: opts.messageId !== undefined ? [opts.messageId] : [],
      username: opts.username ?? null,
      done,
      resolve,
    };
    this.jobs.set(job.id, job);
    this.prune();
    this.emit("added", job);
    void this.run(job, body);
    return job.id;
  }

  private async run(job: Job, body: JobBody): Promise<void> {
    const total = Math.max(0, this.duration());
    await sleep(0);
    job.state = "RUNNING";
    job.progress = { percent: 0, description: null, extra: null };
    this.emit("changed", job);
    await sleep(total / 2);
    const ctl: JobControl = {
      progress: (percent, description) => {
        job.progress = { percent, description, extra: null };
        this.emit("changed", job);
      },
    };
    ctl.progress(50, `${job.method} in progress`);
    await sleep(total / 2);
    try {
      job.result = await body(ctl);
      job.state = "SUCCESS";
      job.progress = { percent: 100, description: null, extra: null };
    } catch (e) {
      job.thrown = e;
      job.failure = jobFailure(e);
      job.state = "FAILED";
    }
    job.finished = Date.now();
    this.emit("changed", job);
    job.resolve();
  }

  private emit(msg: "added" | "changed", job: Job): void {
    const fields = this.encode(job);
    for (const l of this.listeners) l(msg, job.id, fields);
  }

  private prune(): void {
    if (this.jobs.size <= KEEP_FINISHED) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= KEEP_FINISHED) break;
      if (j.finished !== null) this.jobs.delete(id);
    }
  }

  /** The `core.get_jobs` item for a job. */
  encode(job: Job): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: job.id,
      method: job.method,
      arguments: job.args,
      transient: false,
      description: null,
      abortable: false,
      logs_path: null,
      logs_excerpt: null,
      progress: { ...job.progress },
      result: job.result,
      result_encoding_error: null,
      error: job.failure?.error ?? null,
      exception: job.failure?.exception ?? null,
      exc_info: job.failure?.exc_info ?? null,
      state: job.state,
      time_started: { $date: job.started },
      time_finished: job.finished === null ? null : { $date: job.finished },
      credentials: job.username ? { type: "LOGIN_PASSWORD", data: { username: job.username } } : null,
    };
    if (this.withMessageIds) out.message_ids = [...job.messageIds];
    return out;
  }

  /** Every remembered job, encoded. */
  list(): Record<string, unknown>[] {
    return [...this.jobs.values()].map((j) => this.encode(j));
  }

  /** True when a job with this id is known. */
  has(id: number): boolean {
    return this.jobs.has(id);
  }

  /** Waits for a job to finish; resolves its result or rejects with what its body threw. */
  async wait(id: number): Promise<unknown> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`Job ${id} not found`);
    await job.done;
    if (job.state === "FAILED") throw job.thrown;
    return job.result;
  }

  /** Whether every job has finished (used by `close()` to settle). */
  idle(): Promise<void> {
    return Promise.all([...this.jobs.values()].map((j) => j.done)).then(() => {});
  }
}
