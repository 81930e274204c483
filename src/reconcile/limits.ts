import type { DesiredState } from "../manifest/model.js";
import { durationToMs } from "../manifest/units.js";
import type { ProviderLimits } from "./execute.js";

/** Default per-provider step concurrency and step deadline, when a Provider manifest sets none. */
export const DEFAULT_LIMITS: ProviderLimits = { concurrency: 4, stepTimeoutMs: 15 * 60_000 };

/** The executor limits of every provider in the manifests (`spec.concurrency`, `spec.stepTimeout`). */
export function providerLimits(desired: DesiredState): Map<string, ProviderLimits> {
  return new Map(
    [...desired.providers.values()].map((p) => [
      p.name,
      { concurrency: p.spec.concurrency ?? DEFAULT_LIMITS.concurrency, stepTimeoutMs: durationToMs(p.spec.stepTimeout ?? "15m") ?? DEFAULT_LIMITS.stepTimeoutMs },
    ]),
  );
}
