import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../../state/atomic-write.js";
import { generateTable } from "../../cost/generate.js";
import { cachedTablePath, loadPriceTable } from "../../cost/price-table.js";
import { fetchPage, RETAIL_PRICES_URL, RetailPricesError } from "../../cost/retail-prices.js";
import { CommandFailed } from "../errors.js";
import type { CliIO } from "../io.js";

interface UpdateFlags {
  region?: string[];
  currency?: string;
  endpoint?: string;
  output?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `vmsync prices update | show`: the Azure price table plans are priced with. */
export function registerPrices(program: Command, io: () => CliIO): void {
  const prices = program.command("prices").description("The Azure price table plans are priced with (retail list prices, shipped with vmsync, refreshable)");
  prices
    .command("update")
    .description("Fetch current prices from the Azure Retail Prices API (public, no login) into the user's cache")
    .option("--region <name>", "Azure region to fetch (repeatable; default: the regions of the current table)", collect)
    .option("--currency <code>", "currency code", "USD")
    .option("--endpoint <url>", "Retail Prices API endpoint", RETAIL_PRICES_URL)
    .option("-o, --output <file>", "write the table here instead of the cache (e.g. prices/azure-retail-prices.json when releasing vmsync)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync prices update                                   # the regions the current table has
  $ vmsync prices update --region westeurope --region eastus2
  $ vmsync prices update --currency EUR
The table goes to $XDG_CACHE_HOME/vmsync/azure-retail-prices.json (default ~/.cache/vmsync/);
plans use it instead of the table shipped with vmsync. Without network access nothing is written
and plans keep using the table they had.`,
    )
    .action(async (flags: UpdateFlags) => {
      const out = io();
      const current = await loadPriceTable(out.env);
      const regions = flags.region?.length ? flags.region.map((r) => r.toLowerCase()) : [...new Set(current.table.entries.map((e) => e.meter.split("/")[1]!))].sort();
      const target = flags.output ? resolve(out.cwd, flags.output) : cachedTablePath(out.env);
      let table;
      try {
        table = await generateTable({ endpoint: flags.endpoint ?? RETAIL_PRICES_URL, regions, currency: (flags.currency ?? "USD").toUpperCase(), today: new Date().toISOString().slice(0, 10), get: fetchPage });
      } catch (err) {
        if (!(err instanceof RetailPricesError)) throw err;
        throw new CommandFailed(`cannot update prices: ${err.message}\n  Nothing was written; plans keep using the ${current.which === "cache" ? `cached table (${current.path})` : "table shipped with vmsync"} dated ${current.table.date}.`, false);
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomic(target, JSON.stringify(table, null, 2) + "\n");
      if (out.json) out.stdout.write(JSON.stringify({ path: target, date: table.date, currency: table.currency, regions, entries: table.entries.length }) + "\n");
      else out.stdout.write(`${out.color.green("✓")} ${table.entries.length} prices for ${regions.join(", ")} (${table.currency}, ${table.date}) written to ${target}\n`);
    });
  prices
    .command("show")
    .description("Show the price table plans use: where it comes from, its date, currency and prices")
    .addHelpText("after", "\nExamples:\n  $ vmsync prices show\n  $ vmsync prices show --json")
    .action(async () => {
      const out = io();
      const { table, which, path } = await loadPriceTable(out.env);
      if (out.json) {
        out.stdout.write(JSON.stringify({ which, path, ...table }) + "\n");
        return;
      }
      out.stdout.write(`${which === "cache" ? "Cached" : "Shipped"} table ${path}\n${table.currency}, dated ${table.date}. ${table.origin}\n\n`);
      for (const e of table.entries) out.stdout.write(`  ${e.meter.padEnd(44)} ${String(e.price).padStart(10)} ${table.currency} per ${e.unit === "gib-month" ? "GiB and month" : e.unit}\n`);
    });
}
