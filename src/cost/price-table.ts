import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Hours in a billing month, as Azure's pricing calculator and Infracost count them. */
export const HOURS_PER_MONTH = 730;

/** The unit one price is quoted in: per hour, per month (one disk), per GiB and month. */
export type PriceUnit = "hour" | "month" | "gib-month";

/**
 * One price of the table. `meter` is vmsync's key (see `BillableItem.meter`); `source` names where
 * the number comes from (the Retail Prices API query, or the recorded copy of its answer);
 * `capturedAt` (YYYY-MM-DD) is when it was read and `effectiveFrom` the API's `effectiveStartDate`,
 * each when the source says so.
 */
export interface PriceEntry {
  meter: string;
  price: number;
  unit: PriceUnit;
  source: string;
  capturedAt?: string;
  effectiveFrom?: string;
}

/**
 * The Azure price table: retail pay-as-you-go list prices in one currency, dated. vmsync ships one
 * (`prices/azure-retail-prices.json`); `vmsync prices update` writes a fresher one into the user's
 * cache, which wins when present. A meter missing from the table is "unknown", never 0.
 */
export interface PriceTable {
  formatVersion: 1;
  currency: string;
  /** Date (YYYY-MM-DD) of the newest price in the table. */
  date: string;
  /** Where the table comes from, for people. */
  origin: string;
  entries: PriceEntry[];
}

/** The table shipped with vmsync (relative to this module in `src/cost/` and `dist/cost/`). */
export const SHIPPED_TABLE = fileURLToPath(new URL("../../prices/azure-retail-prices.json", import.meta.url));

/** Where `vmsync prices update` writes its table: `$XDG_CACHE_HOME/vmsync/` (default `~/.cache/vmsync/`). */
export function cachedTablePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), ".cache");
  return join(base, "vmsync", "azure-retail-prices.json");
}

/** Checks the shape of a parsed table; returns it, or a sentence saying what is wrong. */
export function checkTable(value: unknown): PriceTable | string {
  const t = value as Partial<PriceTable> | null;
  if (!t || typeof t !== "object") return "not a JSON object";
  if (t.formatVersion !== 1) return `formatVersion ${String(t.formatVersion)} is not 1`;
  if (typeof t.currency !== "string" || typeof t.date !== "string" || !Array.isArray(t.entries)) return "currency, date and entries are required";
  for (const e of t.entries) {
    if (typeof e?.meter !== "string" || typeof e.price !== "number" || !Number.isFinite(e.price) || e.price < 0 || !["hour", "month", "gib-month"].includes(e.unit)) {
      return `entry ${JSON.stringify(e)} needs meter, a price ≥ 0 and a unit (hour, month, gib-month)`;
    }
  }
  return t as PriceTable;
}

async function readTable(path: string): Promise<PriceTable | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const t = checkTable(parsed);
  return typeof t === "string" ? undefined : t;
}

/**
 * The price table a plan uses: the user's cached one (from `vmsync prices update`) when it is
 * readable and valid, else the shipped one. `which` says which was used.
 */
export async function loadPriceTable(env: NodeJS.ProcessEnv): Promise<{ table: PriceTable; which: "cache" | "shipped"; path: string }> {
  const cache = cachedTablePath(env);
  const cached = await readTable(cache);
  if (cached) return { table: cached, which: "cache", path: cache };
  const shipped = await readTable(SHIPPED_TABLE);
  if (!shipped) throw new Error(`the price table shipped with vmsync (${SHIPPED_TABLE}) is missing or invalid; reinstall vmsync`);
  return { table: shipped, which: "shipped", path: SHIPPED_TABLE };
}

/** Looks prices up by meter. */
export class PriceIndex {
  private readonly byMeter = new Map<string, PriceEntry>();
  constructor(readonly table: PriceTable) {
    for (const e of table.entries) this.byMeter.set(e.meter.toLowerCase(), e);
  }

  /** Monthly cost of `quantity` of a meter (hours for hourly meters), or undefined when the meter has no price. */
  monthly(meter: string, quantity: number): number | undefined {
    const e = this.byMeter.get(meter.toLowerCase());
    return e === undefined ? undefined : e.price * quantity;
  }

  /** The entry of a meter, if priced. */
  entry(meter: string): PriceEntry | undefined {
    return this.byMeter.get(meter.toLowerCase());
  }
}
