import type { PriceEntry, PriceTable, PriceUnit } from "./price-table.js";
import { fetchAllItems, queryUrl, RetailPricesError, type PageGetter, type RetailPriceItem } from "./retail-prices.js";

/** Managed-disk products whose fixed-size tiers (`P10 LRS`, `E10 LRS`, `S10 LRS`) are priced per disk and month. */
const DISK_PRODUCTS = new Set(["Premium SSD Managed Disks", "Standard SSD Managed Disks", "Standard HDD Managed Disks"]);

/**
 * The meter key and unit of a Retail Prices item vmsync prices, or undefined for the rest:
 * - `vm/<region>/<armSkuName>/<linux|windows>` — Virtual Machines, pay-as-you-go (not Spot, not Low
 *   Priority), per hour; Windows when the product name ends in "Windows" (the license is included);
 * - `disk/<region>/<tier> LRS` — a managed disk's fixed-size tier, per month (meter `<tier> LRS Disk`);
 * - `snapshot/<region>/standard-lrs` — Standard HDD LRS snapshots (what vmsync takes), per GiB used and month;
 * - `ip/<region>/standard-static` — a Standard static public IPv4, per hour;
 * - `files-premium/<region>/LRS` — Azure Files premium (FileStorage) LRS, per provisioned GiB and month.
 * Only `Consumption` items of the first tier (`tierMinimumUnits` 0) that are not closed (`effectiveEndDate`) count.
 */
export function meterOf(item: RetailPriceItem): { meter: string; unit: PriceUnit } | undefined {
  if (item.type !== "Consumption" || (item.tierMinimumUnits ?? 0) !== 0 || item.effectiveEndDate) return undefined;
  const region = item.armRegionName;
  if (!region) return undefined;
  if (item.serviceName === "Virtual Machines" && item.unitOfMeasure === "1 Hour" && item.armSkuName) {
    if (/\b(Spot|Low Priority)\b/.test(item.meterName) || /\b(Spot|Low Priority)\b/.test(item.skuName)) return undefined;
    const os = item.productName.endsWith("Windows") ? "windows" : "linux";
    return { meter: `vm/${region}/${item.armSkuName}/${os}`, unit: "hour" };
  }
  if (item.serviceName === "Storage" && DISK_PRODUCTS.has(item.productName) && item.unitOfMeasure === "1/Month" && item.meterName === `${item.skuName} Disk` && item.skuName.endsWith(" LRS")) {
    return { meter: `disk/${region}/${item.skuName}`, unit: "month" };
  }
  if (item.serviceName === "Storage" && item.productName === "Standard HDD Managed Disks" && item.meterName === "LRS Snapshots" && item.unitOfMeasure === "1 GB/Month") {
    return { meter: `snapshot/${region}/standard-lrs`, unit: "gib-month" };
  }
  if (item.serviceName === "Storage" && item.productName === "Premium Files" && item.meterName === "Premium LRS Provisioned" && item.unitOfMeasure === "1 GB/Month") {
    return { meter: `files-premium/${region}/LRS`, unit: "gib-month" };
  }
  if (item.serviceName === "Virtual Network" && item.productName === "IP Addresses" && item.meterName === "Standard IPv4 Static Public IP" && item.unitOfMeasure === "1 Hour") {
    return { meter: `ip/${region}/standard-static`, unit: "hour" };
  }
  return undefined;
}

/**
 * The table entries of a list of items (`source` and `capturedAt` recorded on each). When the API
 * lists one meter twice (a second location label), the prices must agree; when they do not, the
 * meter is left out rather than guessed.
 */
export function entriesFromItems(items: RetailPriceItem[], source: string, capturedAt: string): PriceEntry[] {
  const found = new Map<string, PriceEntry | null>();
  for (const item of items) {
    const m = meterOf(item);
    if (!m) continue;
    const prev = found.get(m.meter);
    if (prev === null) continue;
    if (prev && prev.price !== item.retailPrice) found.set(m.meter, null);
    else found.set(m.meter, { meter: m.meter, price: item.retailPrice, unit: m.unit, source, capturedAt, ...(item.effectiveStartDate ? { effectiveFrom: item.effectiveStartDate.slice(0, 10) } : {}) });
  }
  return [...found.values()].filter((e): e is PriceEntry => e !== null).sort((a, b) => a.meter.localeCompare(b.meter));
}

/** The queries that cover everything vmsync prices in one region. */
export function regionFilters(region: string): string[] {
  return [
    `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption'`,
    `serviceName eq 'Storage' and armRegionName eq '${region}' and priceType eq 'Consumption'`,
    `serviceName eq 'Virtual Network' and armRegionName eq '${region}' and priceType eq 'Consumption'`,
  ];
}

/** What `generateTable` needs. `today` is YYYY-MM-DD (the caller reads the clock). */
export interface GenerateOptions {
  endpoint: string;
  regions: string[];
  currency: string;
  today: string;
  get: PageGetter;
  signal?: AbortSignal;
}

/**
 * Builds a price table from the Retail Prices API: the queries of every region, pages followed,
 * items turned into entries. Fails (nothing written by the caller) when any query fails or a
 * region yields no price at all (a misspelt region name).
 */
export async function generateTable(o: GenerateOptions): Promise<PriceTable> {
  const entries: PriceEntry[] = [];
  for (const region of o.regions) {
    const before = entries.length;
    for (const filter of regionFilters(region)) {
      const url = queryUrl(o.endpoint, filter, o.currency);
      const { items } = await fetchAllItems(url, o.get, o.signal);
      entries.push(...entriesFromItems(items, `Azure Retail Prices API ${o.endpoint} $filter=${filter}`, o.today));
    }
    if (entries.length === before) throw new RetailPricesError(`the Retail Prices API has no price vmsync uses in region "${region}"; check the region name (e.g. eastus, westeurope)`, { code: "PRICES_EMPTY_REGION", retryable: false });
  }
  return { formatVersion: 1, currency: o.currency, date: o.today, origin: `generated by \`vmsync prices update\` from ${o.endpoint}`, entries: entries.sort((a, b) => a.meter.localeCompare(b.meter)) };
}
