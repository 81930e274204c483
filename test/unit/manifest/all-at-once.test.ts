import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import { proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/**
 * "Every problem at once": a document with a schema error is still checked for dangling references
 * and provider rules (its invalid fields left out), a bad value never drops the resource (which
 * would cause a second, wrong error elsewhere), and a hint lists every allowed value.
 */
describe("validation reports every problem in one run", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());
  const load = async (files: Record<string, string>) => {
    tree = await tempTree(files);
    const r = await loadManifests(["."], tree.dir);
    return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.path}: ${d.message}${d.hint ? ` | ${d.hint}` : ""}`);
  };

  it("a schema error and a dangling reference in the same document are both reported", async () => {
    const out = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  memroy: 1GiB\n  template: nope\n") });
    expect(out.map((d) => d.split(" ").slice(0, 2).join(" "))).toEqual(["a.yaml:10:3 unknown-field", "a.yaml:11:13 dangling-reference"]);
  });

  it("a schema error and a provider rule in the same document are both reported", async () => {
    const out = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  cpu: { cores: two }\n  size: Standard_B2s\n") });
    expect(out.map((d) => d.split(" ")[1])).toEqual(["wrong-type", "field-not-for-provider"]);
  });

  it("a schema error in a Provider does not hide the rules its VMs break", async () => {
    const out = await load({ "n.yaml": truenasProvider.replace("defaults:", "colour: blue\n  defaults:"), "a.yaml": vm("web-1", "", "nas") + "---\n" + vm("other", "  externalName: web_1\n", "nas") });
    expect(out.map((d) => d.split(" ")[1])).toEqual(["name-collision", "unknown-field"]);
  });

  it("a bad power value is one error listing every allowed value, and the VM still exists for its schedule", async () => {
    const schedule = "---\napiVersion: vmsync.io/v1\nkind: SnapshotSchedule\nmetadata: {name: nightly}\nspec:\n  targets: [{kind: VirtualMachine, name: a}]\n  schedule: daily\n  retention: {keepLast: 3}\n";
    const out = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  power: on\n") + schedule });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^a\.yaml:10:10 invalid-value spec\.power: "on" is not allowed here; use "running", "stopped" or "deallocated"/);
    expect(out[0]).toContain("Allowed values: running, stopped, deallocated.");
  });

  it("an enum's hint lists all allowed values, with a did-you-mean when one is close", async () => {
    const out = await load({ "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  power: stoped\n") });
    expect(out).toEqual([expect.stringMatching(/use "running", "stopped" or "deallocated" \| Did you mean "stopped"\? Allowed values: running, stopped, deallocated\./)]);
  });
});
