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

/**
 * Delivers notifications to webhooks: POST with a 10 s timeout, up to 3 attempts with backoff on
 * network errors and 5xx/429, never blocking a reconcile. `flush()` waits (bounded) for deliveries
 * in flight, for a graceful shutdown.
 */
export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly opts: { urls: string[]; format: WebhookFormat; clock: Clock; logger: Logger; fetch?: typeof fetch; attempts?: number; retryDelayMs?: number },
  ) {}

  /** Sends one notification to every webhook, in the background. */
  send(n: DaemonNotification): void {
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

  private async deliver(url: string, n: DaemonNotification): Promise<void> {
    const doFetch = this.opts.fetch ?? fetch;
    const body = JSON.stringify(webhookBody(n, this.opts.format));
    const attempts = this.opts.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let problem: string;
      try {
        const res = await doFetch(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": "vmsync-watch" }, body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) attempt = attempts;
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= attempts) {
        this.opts.logger.log("warn", "webhook delivery failed", { webhook: redactUrl(url), event: n.type, error: problem });
        return;
      }
      await sleep(this.opts.clock, (this.opts.retryDelayMs ?? 1000) * 2 ** (attempt - 1));
    }
  }
}
