/** Unit parsing for sizes and durations written in manifests. Both are validated by the schema first. */

const SIZE_UNITS: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/**
 * A size string (`512MiB`, `4GiB`, `32G`, `1TiB`) in MiB. K/M/G/T are binary units, as Proxmox reads
 * them. Returns undefined for a string the schema would reject.
 */
export function sizeToMiB(size: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([KMGT])i?B?$/.exec(size.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!]!);
}

/** MiB rendered in the largest unit that divides it exactly: 4096 → `4GiB`, 1536 → `1536MiB`. */
export function mibToSize(mib: number): string {
  if (mib === 0) return "0MiB";
  if (mib % (1024 * 1024) === 0) return `${mib / (1024 * 1024)}TiB`;
  if (mib % 1024 === 0) return `${mib / 1024}GiB`;
  return `${mib}MiB`;
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration string (`30s`, `5m`, `7d`) in milliseconds; undefined for an invalid one. */
export function durationToMs(duration: string): number | undefined {
  const m = /^([0-9]+)(ms|s|m|h|d|w)$/.exec(duration.trim());
  return m ? Number(m[1]) * DURATION_MS[m[2]!]! : undefined;
}
