import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import { azureProvider, azureVm, proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

describe("warnings for fields a provider does not apply", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  it("warns (without failing) about cloud-init packages on Proxmox and cloud-init on TrueNAS", async () => {
    tree = await tempTree({
      "p.yaml": proxmoxProvider + "---\n" + truenasProvider,
      "a.yaml": vm("a", "  cloudInit: { user: u, packages: [htop] }\n") + "---\n" + vm("b", "  cloudInit: { user: u }\n", "nas") + "---\n" + vm("c", "  cloudInit: { user: u }\n"),
    });
    const r = await loadManifests(["."], tree.dir);
    expect(r.errors).toBe(0);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.line, d.message])).toEqual([
      ["warning", "not-applied", 4, "not applied on proxmox VMs: cloudInit.packages (set here or inherited from the template)"],
      ["warning", "not-applied", 15, "not applied on truenas VMs: cloudInit (set here or inherited from the template)"],
    ]);
  });

  it("warns about data disks and secondary NICs on Azure", async () => {
    tree = await tempTree({ "z.yaml": azureProvider, "a.yaml": azureVm("a", "").replace("disks: [{ size: 32GiB }]", "disks: [{ size: 32GiB }, { size: 100GiB }]") });
    const r = await loadManifests(["."], tree.dir);
    expect(r.errors).toBe(0);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["not applied on azure VMs: disks after the first (data disks) (set here or inherited from the template)"]);
  });
});
