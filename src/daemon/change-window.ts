import { CronExpressionParser } from "cron-parser";
import { durationToMs } from "../manifest/units.js";

/** A period in which applying is allowed: it opens at each cron occurrence (UTC) and lasts `durationMs`. */
export interface ChangeWindow {
  cron: string;
  durationMs: number;
  /** As written, for messages and `/status`. */
  text: string;
}

/**
 * Parses `--change-window "CRON DURATION"`, e.g. `"0 22 * * 1-5 4h"` (weekdays 22:00–02:00 UTC).
 * Throws an Error saying what is wrong.
 */
export function parseChangeWindow(text: string): ChangeWindow {
  const parts = text.trim().split(/\s+/);
  const duration = parts.pop() ?? "";
  const cron = parts.join(" ");
  const durationMs = durationToMs(duration);
  if (parts.length !== 5) throw new Error(`change window "${text}" must be a five-field cron expression and a duration, e.g. "0 22 * * 1-5 4h"`);
  if (!durationMs) throw new Error(`change window "${text}": "${duration}" is not a duration (e.g. 30m, 4h, 1d)`);
  try {
    CronExpressionParser.parse(cron, { tz: "UTC" });
  } catch (err) {
    throw new Error(`change window "${text}": "${cron}" is not a cron expression (${(err as Error).message})`);
  }
  return { cron, durationMs, text: text.trim() };
}

/** The latest occurrence of `cron` at or before `now` (UTC). */
function lastStart(cron: string, now: number): number {
  return CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date(now + 1) }).prev().getTime();
}

/** True when applying is allowed at `now`: no windows were given, or one of them is open. */
export function windowOpen(windows: ChangeWindow[], now: number): boolean {
  return windows.length === 0 || windows.some((w) => now < lastStart(w.cron, now) + w.durationMs);
}

/** When the next window opens after `now` (undefined when one is open now or none are configured). */
export function nextWindowOpen(windows: ChangeWindow[], now: number): number | undefined {
  if (windowOpen(windows, now)) return undefined;
  return Math.min(...windows.map((w) => CronExpressionParser.parse(w.cron, { tz: "UTC", currentDate: new Date(now) }).next().getTime()));
}
