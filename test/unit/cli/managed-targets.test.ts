import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/errors.js";
import { resolveManaged } from "../../../src/cli/managed-targets.js";
import { emptyState, type ResourceRecord, type StateSnapshot } from "../../../src/state/contract.js";

function state(...addresses: string[]): StateSnapshot {
  const s = emptyState();
  for (const address of addresses) {
    const rec: ResourceRecord = { address, kind: address.split("/")[0]!, provider: "pve", externalId: `id-${address}`, appliedSpec: {}, protect: false, appliedAt: "2026-01-01T00:00:00Z", origin: "created" };
    s.resources[address] = rec;
  }
  return s;
}

const s = state("VirtualMachine/web-1", "VirtualMachine/web-2", "VirtualMachine/db", "NfsShare/db", "SnapshotSchedule/nightly");
const VM = ["VirtualMachine"];
const names = (r: ResourceRecord[]) => r.map((x) => x.address);

describe("resolving the resources an action names", () => {
  it.each<[string, { names: string[]; globs: string[] }, string[], string[]]>([
    ["an address", { names: ["VirtualMachine/db"], globs: [] }, VM, ["VirtualMachine/db"]],
    ["a bare name matches that name of the kinds asked", { names: ["db"], globs: [] }, VM, ["VirtualMachine/db"]],
    ["a bare name of two kinds", { names: ["db"], globs: [] }, ["VirtualMachine", "NfsShare"], ["NfsShare/db", "VirtualMachine/db"]],
    ["a glob over addresses", { names: [], globs: ["VirtualMachine/web-*"] }, VM, ["VirtualMachine/web-1", "VirtualMachine/web-2"]],
    ["a glob without / matches names", { names: [], globs: ["web-?"] }, VM, ["VirtualMachine/web-1", "VirtualMachine/web-2"]],
    ["overlaps counted once", { names: ["web-1"], globs: ["web-*"] }, VM, ["VirtualMachine/web-1", "VirtualMachine/web-2"]],
  ])("%s", (_why, args, kinds, want) => {
    expect(names(resolveManaged(s, args, kinds))).toEqual(want);
  });

  it("refuses a pattern that matches nothing, one of another kind, and no pattern at all", () => {
    expect(() => resolveManaged(s, { names: [], globs: ["nope-*"] }, VM)).toThrow('"nope-*" matches no VirtualMachine vmsync manages');
    expect(() => resolveManaged(s, { names: ["SnapshotSchedule/nightly"], globs: [] }, VM)).toThrow("SnapshotSchedule/nightly is a SnapshotSchedule: this acts on VirtualMachine resources only");
    expect(() => resolveManaged(s, { names: [], globs: [] }, VM)).toThrow(UsageError);
  });
});
