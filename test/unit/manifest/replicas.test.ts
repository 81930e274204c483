import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import type { VirtualMachineSpec } from "../../../src/manifest/schema/index.js";
import { offsetMac } from "../../../src/manifest/replicas.js";
import { proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/**
 * Replicas of a VM whose manifest pins a MAC or a display port: replica i gets the pinned value
 * plus i - 1 (as it gets vmid + i - 1, and as the TrueNAS VM manager counts display ports up from a
 * start port), never a copy; values that cannot be derived are positioned errors, and two VMs with
 * the same MAC (or display port) on one provider are refused.
 */
describe("replicas derive per-replica values from pinned ones", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());
  const load = async (files: Record<string, string>) => {
    tree = await tempTree(files);
    return loadManifests(["."], tree.dir);
  };
  const specs = (r: Awaited<ReturnType<typeof load>>) => Object.fromEntries(r.desired.resources.map((x) => [x.name, x.spec as VirtualMachineSpec]));

  it("counts MACs up from the pinned one, per NIC, replica by replica", async () => {
    const r = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("web", "  replicas: 3\n", "pve").replace("networks: [{ model: virtio }]", "networks: [{ mac: 52:54:00:AB:CD:FE }, { mac: 52:54:00:00:00:10 }]") });
    expect(r.diagnostics).toEqual([]);
    const s = specs(r);
    expect(["web-1", "web-2", "web-3"].map((n) => s[n]!.networks!.map((x) => x.mac))).toEqual([
      ["52:54:00:AB:CD:FE", "52:54:00:00:00:10"],
      ["52:54:00:AB:CD:FF", "52:54:00:00:00:11"],
      ["52:54:00:AB:CE:00", "52:54:00:00:00:12"],
    ]);
  });

  it("counts TrueNAS display ports up from the pinned one", async () => {
    const r = await load({ "n.yaml": truenasProvider, "a.yaml": vm("desk", "  replicas: 2\n  display: { type: spice, port: 5910 }\n", "nas") });
    expect(r.diagnostics).toEqual([]);
    const s = specs(r);
    expect([s["desk-1"]!.display!.port, s["desk-2"]!.display!.port]).toEqual([5910, 5911]);
  });

  it("a MAC that would run out of addresses or change its kind is a positioned error", async () => {
    const r = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("web", "  replicas: 2\n").replace("networks: [{ model: virtio }]", "networks: [{ mac: 02:ff:ff:ff:ff:ff }]") });
    expect(r.diagnostics).toMatchObject([{ code: "invalid-value", file: "a.yaml", line: 9, column: 21, path: "spec.networks[0].mac", message: expect.stringMatching(/replica 2 of 2 would get a MAC past 02:ff:ff:ff:ff:ff/) }]);
  });

  it("a display port past 65535 for the last replica is a positioned error", async () => {
    const r = await load({ "n.yaml": truenasProvider, "a.yaml": vm("desk", "  replicas: 3\n  display: { type: spice, port: 65534 }\n", "nas") });
    expect(r.diagnostics).toMatchObject([{ code: "invalid-value", path: "spec.display.port", line: 11, column: 33, message: expect.stringMatching(/replica 3 of 3 would get port 65536/) }]);
  });

  it("refuses two VMs with the same MAC on one provider (replicas included), but not on two providers", async () => {
    const mac = (m: string) => `networks: [{ mac: "${m}" }]`;
    const r = await load({
      "p.yaml": proxmoxProvider,
      "a.yaml": vm("web", "  replicas: 2\n").replace("networks: [{ model: virtio }]", mac("52:54:00:00:00:01")) + "---\n" + vm("db").replace("networks: [{ model: virtio }]", mac("52:54:00:00:00:02")),
    });
    expect(r.diagnostics).toMatchObject([{ code: "name-collision", path: "spec.networks[0].mac", line: 20, message: expect.stringMatching(/MAC 52:54:00:00:00:02 of VirtualMachine\/db is also used by VirtualMachine\/web-2 on the same provider/) }]);
    const apart = await load({
      "p.yaml": proxmoxProvider, "n.yaml": truenasProvider,
      "a.yaml": vm("web").replace("networks: [{ model: virtio }]", mac("52:54:00:00:00:01")) + "---\n" + vm("db", "", "nas").replace("networks: [{ model: virtio }]", mac("52:54:00:00:00:01")),
    });
    expect(apart.errors).toBe(0);
  });

  it("offsetMac adds to the 48-bit address and refuses to overflow or flip the multicast/local bits", () => {
    expect(offsetMac("52:54:00:ff:ff:ff", 1)).toBe("52:54:01:00:00:00");
    expect(offsetMac("52:54:00:00:00:00", 0)).toBe("52:54:00:00:00:00");
    expect(offsetMac("02:ff:ff:ff:ff:ff", 1)).toBeUndefined();
    expect(offsetMac("ff:ff:ff:ff:ff:ff", 1)).toBeUndefined();
  });
});
