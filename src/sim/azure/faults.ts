import type { SeededRandom } from "../knobs.js";
import { ArmError } from "./errors.js";
import type { AzureSimKnobs, FaultRule } from "./sim-knobs.js";

/**
 * Transient faults ARM produces: 429 throttling (with `Retry-After` and the
 * `x-ms-ratelimit-remaining-subscription-*` header), 503 (with `Retry-After`) and 500. Queued
 * `FaultRule`s fire first and deterministically; otherwise each request fails with probability
 * `knobs.faultRate`, drawn from the seeded generator so a run is reproducible.
 */
export class FaultInjector {
  private readonly queue: FaultRule[] = [];

  constructor(private readonly random: SeededRandom) {}

  /** Queues a deterministic fault for the next matching request(s). */
  add(rule: FaultRule): void {
    this.queue.push({ ...rule, count: rule.count ?? 1 });
  }

  /** Drops all queued faults. */
  clear(): void {
    this.queue.length = 0;
  }

  /** The fault for this request, if any. */
  pick(method: string, path: string, knobs: AzureSimKnobs): ArmError | undefined {
    const i = this.queue.findIndex(
      (r) => (r.method === undefined || r.method.toUpperCase() === method) && (r.pathContains === undefined || path.toLowerCase().includes(r.pathContains.toLowerCase())),
    );
    if (i >= 0) {
      const rule = this.queue[i]!;
      rule.count = (rule.count ?? 1) - 1;
      if (rule.count <= 0) this.queue.splice(i, 1);
      return faultError(rule.status, method, path, knobs, rule.code);
    }
    if (!this.random.chance(knobs.faultRate)) return undefined;
    const status = [429, 503, 500][this.random.int(3)]!;
    return faultError(status, method, path, knobs);
  }
}

function faultError(status: number, method: string, path: string, knobs: AzureSimKnobs, code?: string): ArmError {
  const ms = Math.max(0, knobs.throttleRetryAfterMs);
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) {
    headers["Retry-After"] = String(Math.ceil(ms / 1000));
    if (ms % 1000 !== 0) headers["retry-after-ms"] = String(ms);
  }
  const kind = method === "GET" || method === "HEAD" ? "reads" : "writes";
  if (status === 429) {
    headers[`x-ms-ratelimit-remaining-subscription-${kind}`] = "0";
    const compute = path.toLowerCase().includes("/microsoft.compute/");
    return compute
      ? new ArmError(429, code ?? "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/vmthrottling", { headers })
      : new ArmError(429, code ?? "SubscriptionRequestsThrottled", `Number of '${kind === "reads" ? "read" : "write"}' requests for subscription exceeded the limit. Please try again after '${Math.ceil(ms / 1000)}' seconds. Refer to https://aka.ms/arm-throttling`, { headers });
  }
  if (status === 503) return new ArmError(503, code ?? "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.", { headers });
  return new ArmError(status, code ?? "InternalServerError", "An internal server error occurred. Please try again.", { headers });
}
