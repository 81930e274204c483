import { describe, expect, it } from "vitest";
import { manifestTagsOf, markerTags, mergedTags } from "../../../src/providers/azure/marker.js";

describe("Azure tags", () => {
  it("round-trips manifest tags, including ones that start with vmsync-", () => {
    const tags = mergedTags({ owner: "ops", "vmsync-demo": "" }, ["vmsync-demo", "web"], markerTags({ stack: "s", address: "VirtualMachine/a" }));
    expect(tags).toEqual({ owner: "ops", "vmsync-demo": "", web: "", "vmsync-stack": "s", "vmsync-address": "VirtualMachine/a" });
    expect(manifestTagsOf(tags)).toEqual(["vmsync-demo", "web"]);
  });
});
