import type { DesiredState } from "../manifest/model.js";
import { durationToMs } from "../manifest/units.js";
import type { ProviderLimits } from "./execute.js";
import { DEFAULT_CONCURRENCY } from "../providers/defaults.js";

/** Default step deadline, when a Provider manifest sets none. */
export const DEFAULT_STEP_TIMEOUT_MS = 15 * 60_000;

/**
 * The executor limits of every provider in the manifests (`spec.concurrency`, default per provider
 * type — see providers/defaults.ts; `spec.stepTimeout`, default 15 minutes).
 */
export function providerLimits(desired: DesiredState): Map<string, ProviderLimits> {
  return new Map(
    [...desired.providers.values()].map((p) => [
      p.name,
      { concurrency: p.spec.concurrency ?? DEFAULT_CONCURRENCY[p.spec.type], stepTimeoutMs: durationToMs(p.spec.stepTimeout ?? "15m") ?? DEFAULT_STEP_TIMEOUT_MS },
    ]),
  );
}
