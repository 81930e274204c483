import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import { proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
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
      ["warning", "not-applied", 4, "cloudInit.packages is not applied on proxmox VMs (set here or inherited from the template)"],
      ["warning", "not-applied", 15, "cloudInit is not applied on truenas VMs (set here or inherited from the template)"],
    ]);
  });
});
