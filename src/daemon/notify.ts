import { sleep, type Clock } from "./clock.js";
import type { Logger } from "./log.js";
import { webhookBody, type DaemonNotification, type WebhookFormat } from "./notify-format.js";

/** A webhook URL as safe to log: scheme, host and port only (Slack-style URLs embed a secret path). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

/** Default of `--webhook-timeout`: how long one delivery attempt may take. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** What {@link Notifier} needs. `timeoutMs` bounds each attempt (default 10 s). */
export interface NotifierOptions {
  urls: string[];
  format: WebhookFormat;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/**
 * Delivers notifications to webhooks: POST with a per-attempt timeout (`--webhook-timeout`, default
 * 10 s), up to 3 attempts with backoff on network errors and 5xx/429, never blocking a reconcile.
 * At shutdown `close(graceMs)` stops retrying, gives deliveries in flight at most `graceMs`, then
 * abandons them (their requests aborted, their backoff waits ended): a receiver that never answers
 * cannot hold the daemon.
 */
export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abandon = new AbortController();
  private closing = false;

  constructor(private readonly opts: NotifierOptions) {}

  /** Sends one notification to every webhook, in the background (dropped once closed). */
  send(n: DaemonNotification): void {
    if (this.abandon.signal.aborted) return;
    for (const url of this.opts.urls) {
      const p = this.deliver(url, n).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Waits for deliveries in flight, at most `timeoutMs` (real time). */
  async flush(timeoutMs = 5000): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /**
   * Shutdown: no more retries; deliveries in flight get at most `graceMs` (real time), then are
   * abandoned and logged. Resolves once every delivery has ended. Idempotent.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    await this.flush(graceMs);
    const left = this.inFlight.size;
    this.abandon.abort();
    if (left > 0) this.opts.logger.log("warn", "webhook deliveries abandoned at shutdown", { deliveries: left });
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, n: DaemonNotification): Promise<void> {
    const doFetch = this.opts.fetch ?? fetch;
    const body = JSON.stringify(webhookBody(n, this.opts.format));
    const attempts = this.opts.attempts ?? 3;
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let problem: string;
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.abandon.signal]);
        const res = await doFetch(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": "vmsync-watch" }, body, signal });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) attempt = attempts;
      } catch (err) {
        if (this.abandon.signal.aborted) return;
        problem = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : err instanceof Error ? err.message : String(err);
      }
      if (attempt >= attempts || this.closing) {
        this.opts.logger.log("warn", "webhook delivery failed", { webhook: redactUrl(url), event: n.type, error: problem });
        return;
      }
      await sleep(this.opts.clock, (this.opts.retryDelayMs ?? 1000) * 2 ** (attempt - 1), this.abandon.signal);
      if (this.abandon.signal.aborted) return;
    }
  }
}
