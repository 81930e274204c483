/**
 * Serialises reconciles: at most one runs at a time, and requests that arrive while one runs are
 * coalesced into exactly one more run (with all their reasons), never a backlog. The run function
 * should report its own failures; anything it throws goes to `onError` and the queue goes on.
 */
export class RunQueue {
  private running: Promise<void> | undefined;
  private queued: string[] | undefined;
  private closed = false;

  constructor(
    private readonly run: (reasons: string[]) => Promise<void>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Asks for a run. Starts one now when idle; otherwise queues one more (at most one). */
  request(reason: string): void {
    if (this.closed) return;
    if (this.running) {
      this.queued = [...(this.queued ?? []), reason];
      return;
    }
    this.start([reason]);
  }

  /** True while a run is in progress. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** True when a run is queued behind the current one. */
  get pending(): boolean {
    return this.queued !== undefined;
  }

  /** Resolves when no run is in progress or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Accepts no more requests and drops the queued one; the current run finishes (await `idle()`). */
  close(): void {
    this.closed = true;
    this.queued = undefined;
  }

  private start(reasons: string[]): void {
    const unique = [...new Set(reasons)];
    this.running = this.run(unique)
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = undefined;
        const next = this.queued;
        this.queued = undefined;
        if (next && !this.closed) this.start(next);
      });
  }
}
