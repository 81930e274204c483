/** How long ago (or until) `iso` is from `now`, for people: `just now`, `5m ago`, `in 3h`, `2d ago`. */
export function relativeTime(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  if (abs < 45_000) return ms < 0 ? "just now" : "in <1m";
  const units: Array<[number, string]> = [[86_400_000, "d"], [3_600_000, "h"], [60_000, "m"]];
  const [size, unit] = units.find(([u]) => abs >= u) ?? units[2]!;
  const n = Math.round(abs / size);
  return ms < 0 ? `${n}${unit} ago` : `in ${n}${unit}`;
}
