import { describe, expect, it } from "vitest";
import { manifestTagsOf, markerTags, mergedTags, TAG } from "../../../src/providers/azure/marker.js";

describe("Azure tags (a map, like Azure's own)", () => {
  const marker = markerTags({ stack: "s", address: "VirtualMachine/a" });

  it("writes the manifest's tags with their values, keeps tags vmsync does not manage, and records which keys it manages", () => {
    const tags = mergedTags({ owner: "ops", CostCenter: "42", [TAG.managedTags]: "" }, { role: "web", env: "prod" }, marker);
    expect(tags).toEqual({ owner: "ops", CostCenter: "42", role: "web", env: "prod", [TAG.managedTags]: "env,role", "vmsync-stack": "s", "vmsync-address": "VirtualMachine/a" });
    expect(manifestTagsOf(tags)).toEqual({ env: "prod", role: "web" });
  });

  it("removes a key the manifest no longer has (it managed it), never one it did not manage", () => {
    const before = mergedTags(undefined, { role: "web", env: "prod" }, marker);
    const after = mergedTags({ ...before, "added-by-policy": "yes" }, { role: "db" }, marker);
    expect(after).toEqual({ "added-by-policy": "yes", role: "db", [TAG.managedTags]: "role", "vmsync-stack": "s", "vmsync-address": "VirtualMachine/a" });
    expect(manifestTagsOf(after)).toEqual({ role: "db" });
  });

  it("an object vmsync did not tag (imported, or made before tags were maps) has all its non-vmsync tags managed", () => {
    expect(manifestTagsOf({ owner: "ops", web: "", "vmsync-stack": "s" })).toEqual({ owner: "ops", web: "" });
  });
});

describe("Azure diff", () => {
  it("treats resource names that differ only in case as equal (ARM names are case-insensitive)", async () => {
    const { diffAzure } = await import("../../../src/providers/azure/classify.js");
    const spec = (rg: string, subnet: string) => ({ resourceGroup: rg, location: "westeurope", network: { vnetGroup: rg, vnet: "Vnet-Dev", subnet, publicIp: false } });
    expect(diffAzure("VirtualMachine", spec("MyRG", "Default"), spec("myrg", "default"))).toEqual([]);
    expect(diffAzure("VirtualMachine", spec("MyRG", "default"), spec("other", "default")).map((c) => [c.path, c.effect])).toEqual([["network.vnetGroup", "replace"], ["resourceGroup", "replace"]]);
  });

  it("compares tags as a whole map, so a removed key is a change too", async () => {
    const { diffAzure } = await import("../../../src/providers/azure/classify.js");
    expect(diffAzure("VirtualMachine", { tags: { role: "web" } }, { tags: { role: "web", env: "prod" } })).toEqual([{ path: "tags", before: { env: "prod", role: "web" }, after: { role: "web" }, effect: "in-place" }]);
    expect(diffAzure("VirtualMachine", { tags: { role: "web" } }, { tags: { role: "web" } })).toEqual([]);
  });
});

describe("Azure snapshot tags", () => {
  it("vmsync-schedule names the schedule of vmsync's own snapshot names (vmsync-<schedule>-<YYYYMMDDHHMM>), not a cut-off date", async () => {
    const { scheduleOf } = await import("../../../src/providers/azure/snapshots.js");
    const { snapshotName } = await import("../../../src/reconcile/snapshots.js");
    const at = new Date("2026-11-22T03:00:00Z");
    expect(scheduleOf(snapshotName("nightly", at))).toBe("nightly");
    expect(scheduleOf(snapshotName("db-hourly", at))).toBe("db-hourly");
    expect(scheduleOf("daily-20250101T0300Z")).toBe("daily");
    expect(scheduleOf("before-upgrade")).toBe("before-upgrade");
  });
});
