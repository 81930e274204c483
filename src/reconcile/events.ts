import type { FieldChange } from "../providers/contract.js";
import type { Action } from "./plan-types.js";

/**
 * What the executor reports while it works: a discriminated union on `type`. The progress display,
 * `apply --json` (one object per line) and the daemon all consume the same events. Field names are
 * an API once published.
 */
export type ExecEvent =
  | { type: "step.start"; address: string; action: Action; attempt: number; time: string }
  | { type: "step.retry"; address: string; action: Action; attempt: number; delayMs: number; error: string; time: string }
  | { type: "step.done"; address: string; action: Action; externalId?: string; durationMs: number; mismatch?: FieldChange[]; time: string }
  | { type: "step.failed"; address: string; action: Action; error: string; code?: string; retryable: boolean; attempts: number; time: string }
  | { type: "step.skipped"; address: string; action: Action; reason: string; time: string }
  | { type: "summary"; result: ApplyResult; succeeded: number; failed: number; skipped: number; cancelled: number; counts: { create: number; update: number; replace: number; delete: number }; durationMs: number; time: string };

/** Overall outcome of an apply. */
export type ApplyResult = "succeeded" | "failed" | "partial" | "cancelled";

/** Receives executor events. */
export type EventSink = (event: ExecEvent) => void;

/** An event before the executor stamps its time. */
export type EventInput = ExecEvent extends infer E ? (E extends ExecEvent ? Omit<E, "time"> : never) : never;
