import { readFile, writeFile } from "node:fs/promises";
import pc from "picocolors";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { fleetHtml } from "../../../src/daemon/web/fleet-html.js";
import type { CapacityPool } from "../../../src/providers/contract.js";
import { extraSchemaFiles } from "../../../src/schemas.js";
import { buildFleet, type FleetInput } from "../../../src/status/build-fleet.js";
import type { CapacityRead } from "../../../src/status/capacity-section.js";
import { renderFleetText } from "../../../src/status/render-text.js";
import { Fleet, GIB, share, vm } from "../../helpers/mixed-fleet.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const AZ_VM = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/";
const PRICING = { currency: "USD", priceDate: "2026-07-24", priceTable: "shipped" as const, billed: ["az"] };

/**
 * The mixed fleet of the plan cost tests as `vmsync status` sees it: Azure VMs running, deallocated
 * and in a region the price table lacks, a share, one VM not created yet; a Proxmox VM; each
 * provider's capacity as read (a nearly full node, Azure families nothing uses, overcommitted vCPUs).
 */
function input(): FleetInput {
  const f = new Fleet()
    .want(vm("run", "az"), vm("parked", "az", { power: "deallocated" }), vm("far", "az", { location: "westeurope" }), share("files"), vm("new", "az"), vm("web", "pve"))
    .exists(vm("run", "az"), `${AZ_VM}run`)
    .exists(vm("parked", "az", { power: "deallocated" }), `${AZ_VM}parked`)
    .exists(vm("far", "az", { location: "westeurope" }), `${AZ_VM}far`)
    .exists(share("files"), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devfiles/fileServices/default/shares/files")
    .exists(vm("web", "pve"), "pve1/100");
  for (const o of [...f.observed.values()].flat()) {
    const spec = o.spec as { location?: string; node?: string; power?: "running" | "deallocated" };
    o.status = { placement: spec.location ?? spec.node ?? "eastus2", ...(o.kind === "VirtualMachine" ? { power: spec.power ?? "running" } : {}), addresses: [] };
  }
  const pools: Record<string, CapacityPool[]> = {
    pve: [
      { key: "node/pve1/memory", label: "node pve1 memory", unit: "bytes", total: 32 * GIB, used: 30 * GIB },
      { key: "node/pve1/cores", label: "node pve1 vCPUs", unit: "count", total: 64, physical: 16, used: 10 },
      { key: "storage/pve1/local-lvm", label: "storage local-lvm on pve1", unit: "bytes", total: 500 * GIB, used: 100 * GIB },
    ],
    az: [
      { key: "quota/eastus2/cores", label: "Total Regional vCPUs in eastus2", unit: "count", total: 100, used: 6 },
      { key: "quota/eastus2/standardDSv5Family", label: "Standard DSv5 Family vCPUs in eastus2", unit: "count", total: 8, used: 6, minor: true },
      { key: "quota/eastus2/standardBSFamily", label: "Standard BS Family vCPUs in eastus2", unit: "count", total: 10, used: 0, minor: true },
      { key: "quota/eastus2/standardESv5Family", label: "Standard ESv5 Family vCPUs in eastus2", unit: "count", total: 10, used: 0, minor: true },
    ],
  };
  for (const [name, list] of Object.entries(pools)) f.pools.set(name, list);
  return {
    stack: "test", now: NOW, desired: f.desiredState(), state: f.state, plan: f.plan(), observed: f.observed, history: [],
    providers: [{ name: "az", type: "azure", reachable: true }, { name: "pve", type: "proxmox", reachable: true }],
    capacity: new Map(Object.entries(pools).map(([name, list]): [string, CapacityRead] => [name, { pools: list }])), pricing: PRICING,
  };
}

describe("status: monthly cost of Azure resources and each provider's capacity", () => {
  const report = buildFleet(input());
  const cost = (name: string) => report.resources.find((r) => r.name === name)!.cost;

  it("prices each Azure resource as it is now: a deallocated VM its disk and IP only, unknown prices as unknown (never 0), nothing for the rest", () => {
    expect(cost("run")).toMatchObject({ currency: "USD", monthly: 91.65, unknown: 0 });
    expect(cost("parked")).toMatchObject({ monthly: 21.57, unknown: 0 });
    expect(cost("parked")!.lines.map((l) => l.component)).toEqual(["os-disk", "public-ip"]);
    expect(cost("far")).toMatchObject({ monthly: null, unknown: 3 });
    expect(cost("files")).toMatchObject({ monthly: 16, unknown: 0 });
    expect(cost("new")).toBeUndefined(); // not created: costs nothing now
    expect(cost("web")).toBeUndefined(); // Proxmox: not billed
    expect(report.cost).toEqual({ currency: "USD", priceDate: "2026-07-24", priceTable: "shipped", monthly: 129.22, unknown: 1 });
  });

  it("has a capacity section per provider with every pool (families nothing uses counted, not listed), near-full marked", () => {
    const [az, pve] = report.sections;
    expect(az).toMatchObject({ type: "capacity", provider: "az", title: "Capacity of az (azure)", notes: ["not listed: 2 more quotas with nothing in use"] });
    expect(az!.pools!.map((p) => p.key)).toEqual(["quota/eastus2/cores", "quota/eastus2/standardDSv5Family"]);
    expect(pve!.pools!.find((p) => p.key === "node/pve1/memory")).toMatchObject({ used: 30 * GIB, free: 2 * GIB, status: "warning" });
    expect(pve!.rows!.find((r) => r[0] === "node pve1 vCPUs")).toEqual(["node pve1 vCPUs", "10 vCPUs", "54 vCPUs", "64 vCPUs (16 × 4)", "16 %"]);
  });

  it("validates against schemas/status.schema.json and renders as the golden table (terminal)", async () => {
    const validate = new Ajv2020({ strict: false }).compile(extraSchemaFiles()["status.schema.json"]!);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
    const text = renderFleetText(report, pc.createColors(false));
    const path = "test/golden/status-cost-capacity.txt";
    if (process.env.UPDATE_GOLDEN) await writeFile(path, text);
    expect(text, `${path} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(await readFile(path, "utf8").catch(() => ""));
  });

  it("renders the same cost column, total and capacity tables on the web page", () => {
    const page = fleetHtml(report).text;
    expect(page).toContain('<th scope="col">Cost/month</th>');
    expect(page).toMatch(/<tr data-address="VirtualMachine\/far"[^>]*>.*<td data-label="Cost\/month" class="t-warn">unknown<\/td>/);
    expect(page).toContain('<p class="cost">Monthly cost now: $129.22 + unknown');
    expect(page).toContain('<h3>Capacity of pve (proxmox)</h3>');
    expect(page).toMatch(/<tr data-pool="node\/pve1\/memory" data-status="warning"><th scope="row" data-label="Pool">node pve1 memory<\/th>.*<td data-label="Use" class="t-warn">94 % \(near full\)<\/td>/);
  });

  it("an Azure provider that cannot be observed: its resources' cost is unknown; capacity that cannot be read says why", () => {
    const given = input();
    const r = buildFleet({
      ...given, plan: { ...given.plan, steps: given.plan.steps.filter((s) => s.provider !== "az") }, observed: new Map([["pve", given.observed.get("pve")!]]),
      providers: [{ name: "az", type: "azure", reachable: false, error: "connect ECONNREFUSED" }, { name: "pve", type: "proxmox", reachable: true }],
      capacity: new Map([["pve", { error: "GET /nodes/pve1/status: 500" }]]),
    });
    expect(r.resources.filter((x) => x.provider === "az").map((x) => x.cost?.monthly)).toEqual([null, null, null, null, null]);
    expect(r.cost).toMatchObject({ monthly: null, unknown: 5 });
    expect(r.sections).toEqual([{ type: "capacity", title: "Capacity of pve (proxmox)", provider: "pve", notes: ["could not be read: GET /nodes/pve1/status: 500"] }]);
    expect(renderFleetText(r, pc.createColors(false))).toContain("Monthly cost now: unknown (5 resources not priced: their provider could not be observed");
  });

  it("without a billed provider there is no cost column and no total", () => {
    const r = buildFleet({ ...input(), pricing: { ...PRICING, billed: [] } });
    expect(r.cost).toBeUndefined();
    expect(renderFleetText(r, pc.createColors(false))).not.toContain("COST/MONTH");
  });
});
