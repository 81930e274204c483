import { describe, expect, it } from "vitest";
import { freeBlock, prefixLengthFor } from "../../../src/providers/azure/subnet-ranges.js";

describe("subnet ranges for the subnets vmsync creates", () => {
  it("sizes a subnet for the VMs that will use it (Azure keeps 5 addresses), /24 at least, /16 at most", () => {
    expect(prefixLengthFor(0)).toBe(24);
    expect(prefixLengthFor(200)).toBe(24);
    expect(prefixLengthFor(251)).toBe(23); // a /24 would be full
    expect(prefixLengthFor(3334)).toBe(20);
    expect(prefixLengthFor(1_000_000)).toBe(16);
  });

  it("finds the first free aligned block, skipping subnets of any size", () => {
    expect(freeBlock("10.0.0.0/16", [], 24)).toBe("10.0.0.0/24");
    expect(freeBlock("10.0.0.0/16", ["10.0.0.0/24", "10.0.1.0/24"], 24)).toBe("10.0.2.0/24");
    expect(freeBlock("10.0.0.0/16", ["10.0.0.0/24"], 22)).toBe("10.0.4.0/22");
    expect(freeBlock("10.0.0.0/16", ["10.0.0.0/19", "10.0.40.0/24"], 20)).toBe("10.0.48.0/20");
    expect(freeBlock("10.0.0.0/16", ["10.0.0.0/17", "10.0.128.0/17"], 24)).toBeUndefined();
    expect(freeBlock("10.0.0.0/24", [], 22)).toBeUndefined();
    expect(freeBlock("not a cidr", [], 24)).toBeUndefined();
  });
});
