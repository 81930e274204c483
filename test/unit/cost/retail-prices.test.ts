import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { entriesFromItems, generateTable, regionFilters } from "../../../src/cost/generate.js";
import { checkTable, SHIPPED_TABLE } from "../../../src/cost/price-table.js";
import { fetchAllItems, parseRetailPage, RetailPricesError } from "../../../src/cost/retail-prices.js";

const page = async (name: string) => JSON.parse(await readFile(`test/fixtures/retail-prices/${name}`, "utf8")) as unknown;

describe("Retail Prices API parser and generator (recorded pages in the documented format)", () => {
  it("parses a page: currency, items, the next page's link", async () => {
    const p = parseRetailPage(await page("vm-page-1.json"));
    expect(p.currency).toBe("USD");
    expect(p.items).toHaveLength(6);
    expect(p.items[0]).toMatchObject({ armSkuName: "Standard_D2s_v5", retailPrice: 0.096, unitOfMeasure: "1 Hour", type: "Consumption", armRegionName: "eastus2" });
    expect(p.next).toMatch(/^https:\/\/prices\.azure\.com:443\/api\/retail\/prices\?.*\$skip=1000$/);
    expect(parseRetailPage(await page("vm-page-2.json")).next).toBeNull();
  });

  it("refuses a page that is not in the documented format, naming what is missing", () => {
    expect(() => parseRetailPage({ Count: 0 })).toThrow(RetailPricesError);
    expect(() => parseRetailPage({ Items: [{ meterName: "x" }], NextPageLink: null })).toThrow("item 0 of the page has no number retailPrice");
    expect(() => parseRetailPage({ Items: [], NextPageLink: 3 })).toThrow("NextPageLink is neither a URL nor null");
  });

  it("follows NextPageLink until null", async () => {
    const pages: Record<string, unknown> = { first: await page("vm-page-1.json") };
    const second = await page("vm-page-2.json");
    const seen: string[] = [];
    const { items } = await fetchAllItems("first", async (url) => {
      seen.push(url);
      return pages[url] ?? second;
    });
    expect(seen).toEqual(["first", expect.stringContaining("$skip=1000")]);
    expect(items.map((i) => i.armSkuName)).toContain("Standard_D4s_v5");
  });

  it("keeps pay-as-you-go Linux/Windows VM hours, disk tiers, LRS snapshots, premium files and static IPs; skips the rest", async () => {
    const items = [...(await Promise.all(["vm-page-1.json", "vm-page-2.json", "storage.json", "network.json"].map(async (n) => parseRetailPage(await page(n)).items))).flat()];
    const entries = entriesFromItems(items, "fixture", "2026-07-24");
    expect(entries.map((e) => [e.meter, e.price, e.unit])).toEqual([
      ["disk/eastus2/E10 LRS", 9.6, "month"],
      ["disk/eastus2/P10 LRS", 17.92, "month"],
      ["files-premium/eastus2/LRS", 0.16, "gib-month"],
      ["ip/eastus2/standard-static", 0.005, "hour"],
      ["snapshot/eastus2/standard-lrs", 0.05, "gib-month"],
      ["vm/eastus2/Standard_D2s_v5/linux", 0.096, "hour"],
      ["vm/eastus2/Standard_D2s_v5/windows", 0.188, "hour"],
      ["vm/eastus2/Standard_D4s_v5/linux", 0.192, "hour"],
      ["vm/eastus2/Standard_D4s_v5/windows", 0.376, "hour"],
    ]);
    expect(entries.find((e) => e.meter === "disk/eastus2/P10 LRS")).toMatchObject({ source: "fixture", capturedAt: "2026-07-24", effectiveFrom: "2018-05-01" });
  });

  it("a meter listed twice with different prices is left out, not guessed", async () => {
    const [a] = parseRetailPage(await page("network.json")).items;
    expect(entriesFromItems([a!, { ...a!, retailPrice: 0.006 }], "x", "2026-01-01")).toEqual([]);
  });

  it("generates a table region by region with the documented $filter queries", async () => {
    const byFilter = new Map([[regionFilters("eastus2")[0]!, "vm-page-1.json"], [regionFilters("eastus2")[1]!, "storage.json"], [regionFilters("eastus2")[2]!, "network.json"]]);
    const urls: string[] = [];
    const table = await generateTable({
      endpoint: "https://prices.azure.com/api/retail/prices", regions: ["eastus2"], currency: "USD", today: "2026-08-01",
      get: async (url) => {
        urls.push(url);
        const u = new URL(url);
        return page(u.searchParams.get("$skip") ? "vm-page-2.json" : byFilter.get(u.searchParams.get("$filter")!)!);
      },
    });
    expect(urls[0]).toBe("https://prices.azure.com/api/retail/prices?currencyCode=%27USD%27&%24filter=serviceName+eq+%27Virtual+Machines%27+and+armRegionName+eq+%27eastus2%27+and+priceType+eq+%27Consumption%27");
    expect(table).toMatchObject({ formatVersion: 1, currency: "USD", date: "2026-08-01" });
    expect(table.entries).toHaveLength(9);
    expect(checkTable(table)).toEqual(table);
  });

  it("the shipped table is valid, dated, and every price names its source", async () => {
    const t = checkTable(JSON.parse(await readFile(SHIPPED_TABLE, "utf8")));
    expect(typeof t).not.toBe("string");
    const table = t as Exclude<typeof t, string>;
    expect(table.currency).toBe("USD");
    expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const e of table.entries) expect(e.source.length).toBeGreaterThan(20);
  });
});
