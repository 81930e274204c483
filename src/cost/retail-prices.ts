/**
 * The Azure Retail Prices API (`https://prices.azure.com/api/retail/prices`): public, no auth, JSON
 * pages of at most 1,000 items, the next page's full URL in `NextPageLink` (null on the last),
 * filterable with OData `$filter` (`serviceName`, `armRegionName`, `armSkuName`, `skuName`,
 * `productName`, `priceType` …; values case-sensitive since api-version 2023-01-01-preview).
 * Documented at learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices:
 * a page is `{BillingCurrency, CustomerEntityId, CustomerEntityType, Items: [...], NextPageLink, Count}`.
 */

/** The public endpoint. */
export const RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices";

/** Most pages one query may follow (a region's Virtual Machines are ~5 pages; this bounds a runaway). */
const MAX_PAGES = 200;

/** One item of a page, with the documented fields vmsync reads. */
export interface RetailPriceItem {
  currencyCode: string;
  tierMinimumUnits: number;
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  effectiveEndDate?: string;
  meterId: string;
  meterName: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceFamily: string;
  unitOfMeasure: string;
  type: string;
  isPrimaryMeterRegion: boolean;
  armSkuName: string;
}

/** One parsed page. */
export interface RetailPricePage {
  currency: string;
  items: RetailPriceItem[];
  next: string | null;
}

/** A page that is not what the documented format says, or a request that failed. */
export class RetailPricesError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(message: string, options: { code: string; retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "RetailPricesError";
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

const REQUIRED: Array<[keyof RetailPriceItem, "string" | "number"]> = [
  ["retailPrice", "number"], ["armRegionName", "string"], ["meterName", "string"], ["productName", "string"],
  ["skuName", "string"], ["serviceName", "string"], ["unitOfMeasure", "string"], ["type", "string"],
];

/** Parses one page (already JSON-decoded); throws `RetailPricesError` naming what does not fit. */
export function parseRetailPage(body: unknown): RetailPricePage {
  const page = body as { BillingCurrency?: unknown; Items?: unknown; NextPageLink?: unknown } | null;
  if (!page || typeof page !== "object" || !Array.isArray(page.Items)) {
    throw new RetailPricesError("the Retail Prices API answered without an Items list", { code: "PRICES_BAD_PAGE", retryable: false });
  }
  const next = page.NextPageLink;
  if (next !== null && next !== undefined && typeof next !== "string") throw new RetailPricesError("NextPageLink is neither a URL nor null", { code: "PRICES_BAD_PAGE", retryable: false });
  const items = page.Items.map((raw, i) => {
    const item = raw as Record<string, unknown>;
    for (const [key, type] of REQUIRED) {
      if (typeof item?.[key] !== type) throw new RetailPricesError(`item ${i} of the page has no ${type} ${key}`, { code: "PRICES_BAD_PAGE", retryable: false });
    }
    return { tierMinimumUnits: 0, armSkuName: "", currencyCode: String(page.BillingCurrency ?? "USD"), ...item } as RetailPriceItem;
  });
  return { currency: typeof page.BillingCurrency === "string" ? page.BillingCurrency : (items[0]?.currencyCode ?? "USD"), items, next: next || null };
}

/** The GET of one page: the JSON body, or a `RetailPricesError` saying why not (network, HTTP status). */
export type PageGetter = (url: string, signal?: AbortSignal) => Promise<unknown>;

/** Reads a page with Node's fetch (HTTPS, certificate verification on). */
export const fetchPage: PageGetter = async (url, signal) => {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
  } catch (err) {
    const why = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new RetailPricesError(`cannot reach the Azure Retail Prices API (${new URL(url).origin}): ${why?.code ?? why?.message ?? (err as Error).message}`, { code: "PRICES_UNREACHABLE", retryable: true, cause: err });
  }
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    throw new RetailPricesError(`the Azure Retail Prices API answered ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`, { code: "PRICES_HTTP", retryable: res.status === 429 || res.status >= 500 });
  }
  try {
    return await res.json();
  } catch (err) {
    throw new RetailPricesError("the Azure Retail Prices API answered with something that is not JSON", { code: "PRICES_BAD_PAGE", retryable: false, cause: err });
  }
};

/** The URL of the first page of a `$filter` query (`currencyCode` as the API spells it: `'USD'`). */
export function queryUrl(endpoint: string, filter: string, currency: string): string {
  const u = new URL(endpoint);
  u.searchParams.set("currencyCode", `'${currency}'`);
  u.searchParams.set("$filter", filter);
  return u.toString();
}

/** Every item of a query, following `NextPageLink` until it is null (at most `MAX_PAGES` pages). */
export async function fetchAllItems(firstUrl: string, get: PageGetter, signal?: AbortSignal): Promise<{ currency: string; items: RetailPriceItem[] }> {
  const items: RetailPriceItem[] = [];
  let url: string | null = firstUrl;
  let currency = "USD";
  for (let pages = 0; url; pages++) {
    if (pages >= MAX_PAGES) throw new RetailPricesError(`more than ${MAX_PAGES} pages for one query; narrow the filter`, { code: "PRICES_TOO_MANY_PAGES", retryable: false });
    const page = parseRetailPage(await get(url, signal));
    currency = page.currency;
    items.push(...page.items);
    url = page.next;
  }
  return { currency, items };
}
