import { CronExpressionParser } from "cron-parser";

/** The latest occurrence of `cron` (UTC) at or before `now`. */
export function lastSlot(cron: string, now: number): number {
  return CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date(now + 1) }).prev().getTime();
}

/** The first occurrence of `cron` (UTC) strictly after `now`. */
export function nextSlot(cron: string, now: number): number {
  return CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date(now) }).next().getTime();
}

/**
 * The slot a schedule should run for now, or undefined. Only the latest slot at or before `now` is
 * considered, and only when the schedule has not run since it: however many slots were missed while
 * the daemon was down, this gives one catch-up run, never a burst (pure).
 */
export function dueSlot(cron: string, lastRun: number, now: number): number | undefined {
  const slot = lastSlot(cron, now);
  return slot > lastRun ? slot : undefined;
}
