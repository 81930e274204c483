import type { CapacityPool } from "../providers/contract.js";
import { formatAmount } from "../reconcile/amounts.js";
import { capacityNow } from "../reconcile/capacity-check.js";
import type { Cell } from "./columns.js";
import type { FleetPool, FleetSection, ProviderHealth } from "./fleet-schema.js";

/**
 * A provider's capacity as read with the observation (`readCapacity`, the same read plans check
 * against): its pools, or why they could not be read.
 */
export type CapacityRead = { pools: CapacityPool[] } | { error: string };

/** Headers of a capacity section's table (terminal and web page). */
export const CAPACITY_COLUMNS = ["POOL", "USED", "FREE", "TOTAL", "USE"];

function totalText(p: FleetPool): string {
  const total = formatAmount(p.unit, p.total);
  // an overcommitted pool says how its total comes about: 64 vCPUs (16 × 4)
  if (p.physical === undefined || p.physical === p.total || p.physical === 0) return total;
  const ratio = Math.round((p.total / p.physical) * 100) / 100;
  return `${total} (${p.unit === "count" ? p.physical : formatAmount(p.unit, p.physical)} × ${ratio})`;
}

function useText(p: FleetPool): string {
  if (p.total <= 0) return "-";
  const pct = `${Math.round((100 * p.used) / p.total)} %`;
  return p.status === "over" ? `${pct} (over)` : p.status === "warning" ? `${pct} (near full)` : pct;
}

/** The cells of one pool's row; the USE cell carries the tone (and says near full / over in words). */
export function capacityCells(p: FleetPool): Cell[] {
  const tone = p.status === "over" ? "bad" : p.status === "warning" ? "warn" : undefined;
  return [
    { text: p.label }, { text: formatAmount(p.unit, p.used) }, { text: formatAmount(p.unit, p.free) }, { text: totalText(p) },
    { text: useText(p), ...(tone ? { tone } : {}) },
  ];
}

function title(name: string, health: ProviderHealth | undefined): string {
  return `Capacity of ${name}${health?.type ? ` (${health.type})` : ""}`;
}

/**
 * One `capacity` section per provider that reported capacity (pure), in provider order: every pool
 * with used, free, total and % used (near full above 90 %), in the generic `columns`/`rows` any view
 * can show and as `pools` data. Minor pools nothing uses (Azure VM families) are left out and
 * counted in a note; a provider whose capacity could not be read gets a section saying why.
 */
export function capacitySections(capacity: Map<string, CapacityRead>, providers: ProviderHealth[]): FleetSection[] {
  const out: FleetSection[] = [];
  for (const name of [...capacity.keys()].sort()) {
    const read = capacity.get(name)!;
    const health = providers.find((p) => p.name === name);
    if ("error" in read) {
      out.push({ type: "capacity", title: title(name, health), provider: name, notes: [`could not be read: ${read.error}`] });
      continue;
    }
    const shown = read.pools.filter((p) => !(p.minor && p.used === 0));
    const physical = new Map(shown.map((p) => [p.key, p.physical]));
    const pools: FleetPool[] = capacityNow(new Map([[name, shown]])).map((l) => ({
      key: l.pool, label: l.label, unit: l.unit, used: l.used, total: l.total, free: l.free,
      ...(physical.get(l.pool) !== undefined ? { physical: physical.get(l.pool)! } : {}), status: l.status,
    }));
    const hidden = read.pools.length - shown.length;
    const notes = [
      ...(pools.length ? [] : ["no capacity reported"]),
      ...(hidden ? [`not listed: ${hidden} more quota${hidden === 1 ? "" : "s"} with nothing in use`] : []),
    ];
    out.push({
      type: "capacity", title: title(name, health), provider: name, columns: CAPACITY_COLUMNS,
      rows: pools.map((p) => capacityCells(p).map((c) => c.text)), ...(notes.length ? { notes } : {}), pools,
    });
  }
  return out;
}
