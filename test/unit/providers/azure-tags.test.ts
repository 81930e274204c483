import { describe, expect, it } from "vitest";
import { manifestTagsOf, markerTags, mergedTags } from "../../../src/providers/azure/marker.js";

describe("Azure tags", () => {
  it("round-trips manifest tags, including ones that start with vmsync-", () => {
    const tags = mergedTags({ owner: "ops", "vmsync-demo": "" }, ["vmsync-demo", "web"], markerTags({ stack: "s", address: "VirtualMachine/a" }));
    expect(tags).toEqual({ owner: "ops", "vmsync-demo": "", web: "", "vmsync-stack": "s", "vmsync-address": "VirtualMachine/a" });
    expect(manifestTagsOf(tags)).toEqual(["vmsync-demo", "web"]);
  });
});

describe("Azure diff", () => {
  it("treats resource names that differ only in case as equal (ARM names are case-insensitive)", async () => {
    const { diffAzure } = await import("../../../src/providers/azure/classify.js");
    const spec = (rg: string, subnet: string) => ({ resourceGroup: rg, location: "westeurope", network: { vnetGroup: rg, vnet: "Vnet-Dev", subnet, publicIp: false } });
    expect(diffAzure("VirtualMachine", spec("MyRG", "Default"), spec("myrg", "default"))).toEqual([]);
    expect(diffAzure("VirtualMachine", spec("MyRG", "default"), spec("other", "default")).map((c) => [c.path, c.effect])).toEqual([["network.vnetGroup", "replace"], ["resourceGroup", "replace"]]);
  });
});
