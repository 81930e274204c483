import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { regionFilters } from "../../src/cost/generate.js";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

/**
 * `vmsync prices update` against a loopback stand-in of the Retail Prices API that serves the
 * recorded pages (rewriting `NextPageLink` to itself, as the real API links to itself), and with
 * no API to reach: a clear error, nothing written.
 */
describe("vmsync prices", () => {
  let server: Server;
  let base = "";
  let tree: TempTree;
  const served: string[] = [];
  beforeAll(async () => {
    tree = await tempTree();
    const files = new Map([[regionFilters("eastus2")[0]!, "vm-page-1.json"], [regionFilters("eastus2")[1]!, "storage.json"], [regionFilters("eastus2")[2]!, "network.json"]]);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", base);
      served.push(url.search);
      const name = url.searchParams.get("$skip") ? "vm-page-2.json" : files.get(url.searchParams.get("$filter") ?? "");
      if (!name || url.searchParams.get("currencyCode") !== "'USD'") {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ Error: { Code: "BadRequest", Message: "Invalid OData parameters supplied" } }));
        return;
      }
      void readFile(`test/fixtures/retail-prices/${name}`, "utf8").then((text) => {
        res.writeHead(200, { "content-type": "application/json" }).end(text.replace("https://prices.azure.com:443/api/retail/prices", `${base}/api/retail/prices`));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await tree.cleanup();
  });

  it("update writes the cache; show and plans use it from then on", async () => {
    const env = { XDG_CACHE_HOME: tree.path("cache") };
    const run = await runCli(["prices", "update", "--region", "eastus2", "--endpoint", `${base}/api/retail/prices`], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`9 prices for eastus2 (USD,`);
    expect(served.some((s) => s.includes("%24skip=1000") || s.includes("$skip=1000"))).toBe(true);
    const table = JSON.parse(await readFile(tree.path("cache/vmsync/azure-retail-prices.json"), "utf8"));
    expect(table.entries.find((e: { meter: string }) => e.meter === "vm/eastus2/Standard_D2s_v5/linux")).toMatchObject({ price: 0.096, unit: "hour" });
    const show = await runCli(["prices", "show", "--json"], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ which: "cache", currency: "USD" });
  });

  it("without network access: a clear error, exit 1, nothing written", async () => {
    const env = { XDG_CACHE_HOME: tree.path("offline") };
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const run = await runCli(["prices", "update", "--region", "eastus2", "--endpoint", `http://127.0.0.1:${port}/api/retail/prices`], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot update prices: cannot reach the Azure Retail Prices API (http://127.0.0.1:${port}): ECONNREFUSED`);
    expect(run.stderr).toContain("Nothing was written; plans keep using the table shipped with vmsync dated");
    await expect(readFile(tree.path("offline/vmsync/azure-retail-prices.json"))).rejects.toThrow();
  });

  it("an API error is reported with its status and text", async () => {
    const run = await runCli(["prices", "update", "--region", "atlantis", "--endpoint", `${base}/api/retail/prices`], { env: { XDG_CACHE_HOME: tree.path("bad") } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the Azure Retail Prices API answered 400 Bad Request: {\"Error\":{\"Code\":\"BadRequest\",\"Message\":\"Invalid OData parameters supplied\"}}");
  });
});
