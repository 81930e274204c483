import { readFile, writeFile } from "node:fs/promises";
import pc from "picocolors";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { planToJson } from "../../../src/reconcile/render/json.js";
import { renderPlanHuman } from "../../../src/reconcile/render/human.js";
import { renderPlanMarkdown } from "../../../src/reconcile/render/markdown.js";
import { extraSchemaFiles } from "../../../src/schemas.js";
import { Fleet, GIB, share, vm } from "../../helpers/mixed-fleet.js";

async function golden(name: string, actual: string): Promise<void> {
  const path = `test/golden/${name}`;
  if (process.env.UPDATE_GOLDEN) await writeFile(path, actual);
  expect(actual, `${path} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(await readFile(path, "utf8").catch(() => ""));
}

/** Azure VMs and a share to create, resize, deallocate and delete; Proxmox VMs on a nearly full node. */
function mixed() {
  const f = new Fleet()
    .want(vm("dev-1", "az"), share("files"), vm("far", "az", { location: "westeurope" }))
    .want(vm("grow", "az", { size: "Standard_D4s_v5" }), vm("parked", "az", { power: "deallocated" }))
    .exists(vm("grow", "az"), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/grow")
    .exists(vm("parked", "az"), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/parked")
    .exists(vm("gone", "az", { networks: [{ publicIp: false }] }), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gone")
    .want(vm("web", "pve"), vm("db", "pve", { memory: "16GiB" }))
    .pool("pve", "node/pve1/memory", "node pve1 memory", "bytes", 32 * GIB, 24 * GIB)
    .pool("pve", "node/pve1/cores", "node pve1 vCPUs", "count", 64, 10)
    .pool("pve", "storage/pve1/local-lvm", "storage local-lvm on pve1", "bytes", 500 * GIB, 100 * GIB)
    .pool("az", "quota/eastus2/standardDSv5Family", "Standard DSv5 Family vCPUs in eastus2", "count", 8, 6)
    .pool("az", "quota/eastus2/cores", "Total Regional vCPUs in eastus2", "count", 100, 6);
  return f.plan();
}

describe("plans with cost and capacity", () => {
  it("golden: human", async () => {
    await golden("plan-cost-capacity.txt", renderPlanHuman(mixed(), pc.createColors(false)));
  });

  it("golden: markdown (the PR comment's cost line)", async () => {
    await golden("plan-cost-capacity.md", renderPlanMarkdown(mixed()));
  });

  it("golden: JSON, valid against schemas/plan.schema.json", async () => {
    const json = planToJson(mixed());
    await golden("plan-cost-capacity.json", JSON.stringify(json, null, 2) + "\n");
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(extraSchemaFiles()["plan.schema.json"]!);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it("prices each resource and the plan's delta; a deallocated VM costs its disk only; unknown is never 0", () => {
    const p = mixed();
    const by = new Map(p.cost!.resources.map((r) => [r.address, r]));
    expect(by.get("VirtualMachine/dev-1")).toMatchObject({ delta: 91.65, after: { monthly: 91.65, unknown: 0 } });
    expect(by.get("VirtualMachine/dev-1")!.before).toBeUndefined();
    expect(by.get("NfsShare/files")).toMatchObject({ delta: 16, after: { monthly: 16 } });
    // deallocated: no compute; the disk and the VM's static public IP (a resource of its own) are still billed
    expect(by.get("VirtualMachine/parked")).toMatchObject({ before: { monthly: 91.65 }, after: { monthly: 21.57, lines: [{ component: "os-disk", monthly: 17.92 }, { component: "public-ip", monthly: 3.65 }] } });
    expect(by.get("VirtualMachine/parked")!.after!.lines.map((l) => l.component)).not.toContain("compute");
    expect(by.get("VirtualMachine/grow")).toMatchObject({ before: { monthly: 91.65 }, after: { monthly: 161.73 }, delta: 70.08 });
    expect(by.get("VirtualMachine/gone")).toMatchObject({ before: { monthly: 88 }, delta: -88 });
    expect(by.get("VirtualMachine/gone")!.after).toBeUndefined();
    const far = by.get("VirtualMachine/far")!;
    expect(far.after).toMatchObject({ monthly: 0, unknown: 3 });
    expect(far.after!.lines.every((l) => l.monthly === null)).toBe(true);
    expect(p.cost).toMatchObject({ currency: "USD", priceDate: "2026-07-24", unknown: 3 });
    expect(p.cost).toMatchObject({ monthlyBefore: 271.3, monthlyAfter: 290.95, delta: 19.65 });
  });

  it("blocks what does not fit with the numbers and warns above 90 %", () => {
    const p = mixed();
    const db = p.steps.find((s) => s.address === "VirtualMachine/db")!;
    expect(db).toMatchObject({ blocked: true, reasonCode: "blocked-capacity", reason: "does not fit: node pve1 memory needs 16GiB, 8GiB free of 32GiB (40GiB after the plan)" });
    const mem = p.capacity!.find((l) => l.pool === "node/pve1/memory")!;
    expect(mem).toMatchObject({ status: "over", used: 24 * GIB, needed: 4 * GIB, after: 28 * GIB, free: 8 * GIB, steps: ["VirtualMachine/web"] });
    const fam = p.capacity!.find((l) => l.pool === "quota/eastus2/standardDSv5Family")!;
    expect(fam).toMatchObject({ status: "warning", needed: 2 + 2 - 2, after: 8, total: 8 });
    expect(p.summary.create).toBe(4);
  });

  it("frees count: deleting a VM makes room for a new one on the same node", () => {
    const f = new Fleet().want(vm("new", "pve", { memory: "8GiB" })).exists(vm("old", "pve", { memory: "8GiB" }), "pve1/100")
      .pool("pve", "node/pve1/memory", "node pve1 memory", "bytes", 16 * GIB, 12 * GIB);
    const p = f.plan();
    expect(p.steps.find((s) => s.address === "VirtualMachine/new")).toMatchObject({ action: "create" });
    expect(p.capacity![0]).toMatchObject({ needed: 0, after: 12 * GIB, steps: ["VirtualMachine/new", "VirtualMachine/old"] });
  });

  it("a shared storage answers to every node's key; stopped VMs take disk but no memory", () => {
    const f = new Fleet().want(vm("s", "pve", { power: "stopped", disks: [{ size: "64GiB", storage: "ceph" }] }));
    f.pools.set("pve", [
      { key: "storage/ceph", aliases: ["storage/pve1/ceph", "storage/pve2/ceph"], label: "shared storage ceph", unit: "bytes", total: 100 * GIB, used: 50 * GIB },
      { key: "node/pve1/memory", label: "node pve1 memory", unit: "bytes", total: 1 * GIB, used: 1 * GIB },
    ]);
    const p = f.plan();
    expect(p.errors).toEqual(["VirtualMachine/s: does not fit: shared storage ceph needs 64GiB, 50GiB free of 100GiB (114GiB after the plan)"]);
    expect(p.capacity!.map((l) => l.pool)).toEqual(["storage/ceph"]);
  });

  it("a plan without changes shows only the cost summary line", () => {
    const f = new Fleet().want(vm("same", "az")).exists(vm("same", "az"), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/same");
    const text = renderPlanHuman(f.plan(), pc.createColors(false));
    expect(text).toBe("Monthly cost: $91.65 → $91.65 (+$0.00)\n\nNo changes. The infrastructure matches the manifests.\n");
  });

  it("a plan whose Azure prices are all unknown never shows them as $0 (terminal and PR comment)", () => {
    const odd = { size: "Standard_Unpriced_v9" };
    const f = new Fleet().want(vm("same", "az", odd)).exists(vm("same", "az", odd), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/same");
    const p = f.plan();
    expect(renderPlanHuman(p, pc.createColors(false))).toMatch(/^Monthly cost: (unknown|\$[\d.]+ \+ unknown) → (unknown|\$[\d.]+ \+ unknown) /);
    const md = renderPlanMarkdown(p);
    expect(md).toMatch(/Monthly cost will stay at \*\*(unknown|\$[\d.]+ \+ unknown)\*\*/);
    expect(md).not.toContain("stay at **$0.00**");
  });

  it("without capacity or prices the plan has neither section (and --refresh-only checks nothing)", () => {
    const f = new Fleet().want(vm("x", "pve", { memory: "64GiB" })).pool("pve", "node/pve1/memory", "m", "bytes", GIB, 0);
    expect(f.plan({ capacity: undefined, prices: undefined })).not.toHaveProperty("cost");
    expect(f.plan({ options: { refreshOnly: true } }).errors).toEqual([]);
  });
});

describe("capacity now (for vmsync status)", () => {
  it("lists every pool with its use, warning above 90 % and over when already overcommitted", async () => {
    const { capacityNow } = await import("../../../src/reconcile/capacity-check.js");
    const lines = capacityNow(new Map([["pve", [
      { key: "node/pve1/memory", label: "node pve1 memory", unit: "bytes" as const, total: 10 * GIB, used: 9.5 * GIB },
      { key: "node/pve1/cores", label: "node pve1 vCPUs", unit: "count" as const, total: 8, used: 9 },
      { key: "storage/pve1/local", label: "storage local on pve1", unit: "bytes" as const, total: 100 * GIB, used: 1 * GIB },
    ]]]));
    expect(lines.map((l) => [l.pool, l.status, l.free])).toEqual([["node/pve1/cores", "over", -1], ["node/pve1/memory", "warning", 0.5 * GIB], ["storage/pve1/local", "ok", 99 * GIB]]);
  });
});
