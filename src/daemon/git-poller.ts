import type { Clock } from "./clock.js";
import type { GitSource } from "./git-source.js";
import type { Logger } from "./log.js";
import type { Wakeups } from "./resync.js";

/**
 * Polls a git remote every `pollMs` for the branch's commit (ls-remote: nothing in the working
 * folder changes) and reports a commit it has not reported before. The reconcile it triggers does
 * the checkout. Failures are logged and retried at the next poll.
 */
export class GitPoller {
  private seen: string | undefined;
  private stopped = false;

  constructor(private readonly o: { source: GitSource; pollMs: number; wake: Wakeups; clock: Clock; logger: Logger; onNewCommit: (sha: string) => void }) {
    this.arm();
  }

  /** Polls once now (also used by tests). */
  async poll(): Promise<void> {
    try {
      const sha = await this.o.source.head();
      const known = this.seen ?? this.o.source.revision;
      this.seen = sha;
      if (sha !== known) this.o.onNewCommit(sha);
    } catch (err) {
      this.o.logger.log("warn", "cannot poll the git repository", { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Stops polling. */
  stop(): void {
    this.stopped = true;
    this.o.wake.cancel("git-poll");
  }

  private arm(): void {
    if (this.stopped) return;
    this.o.wake.at("git-poll", this.o.clock.now() + this.o.pollMs, () => void this.poll().finally(() => this.arm()));
  }
}
