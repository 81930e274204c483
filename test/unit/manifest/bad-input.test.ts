import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import { azureProvider, azureVm, proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/**
 * One row per kind of bad input: the files, and the exact diagnostic expected (file, line, column,
 * code, path and a fragment of the message). Every row also asserts that nothing loads as valid.
 */
interface Row {
  reason: string;
  files: Record<string, string>;
  expect: { file: string; line: number; column: number; code: string; path: string; message: RegExp };
}

const rows: Row[] = [
  {
    reason: "YAML syntax error points at the broken line",
    files: { "a.yaml": "apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata: {name: a\n" },
    expect: { file: "a.yaml", line: 4, column: 1, code: "yaml-syntax", path: "", message: /YAML syntax error/ },
  },
  {
    reason: "duplicate key in a mapping",
    files: { "a.yaml": vm("a", "  memory: 2GiB\n") + proxmoxProvider.replace(/^/, "---\n") },
    expect: { file: "a.yaml", line: 10, column: 3, code: "yaml-syntax", path: "", message: /unique/ },
  },
  {
    reason: "wrong type names the field and the value",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  cpu: { cores: two }\n") },
    expect: { file: "a.yaml", line: 10, column: 17, code: "wrong-type", path: "spec.cpu.cores", message: /must be an integer, not string "two"/ },
  },
  {
    reason: "unknown kind with did-you-mean",
    files: { "a.yaml": "apiVersion: vmsync.io/v1\nkind: VirtualMachne\nmetadata: {name: a}\nspec: {}\n" },
    expect: { file: "a.yaml", line: 2, column: 7, code: "unknown-kind", path: "kind", message: /unknown kind "VirtualMachne"/ },
  },
  {
    reason: "unknown apiVersion",
    files: { "p.yaml": proxmoxProvider.replace("vmsync.io/v1", "vmsync.io/v9") },
    expect: { file: "p.yaml", line: 1, column: 13, code: "unknown-api-version", path: "apiVersion", message: /unknown apiVersion "vmsync.io\/v9"/ },
  },
  {
    reason: "unknown field points at the key and suggests the right one",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  replica: 2\n") },
    expect: { file: "a.yaml", line: 10, column: 3, code: "unknown-field", path: "spec.replica", message: /unknown field "replica"/ },
  },
  {
    reason: "duplicate address across files",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("web"), "b.yaml": vm("web") },
    expect: { file: "b.yaml", line: 4, column: 9, code: "duplicate-address", path: "metadata.name", message: /VirtualMachine\/web is defined twice \(first at a.yaml:4:9\)/ },
  },
  {
    reason: "replicas expand into addresses that collide with another VM",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("web", "  replicas: 2\n") + "---\n" + vm("web-2") },
    expect: { file: "a.yaml", line: 15, column: 9, code: "duplicate-address", path: "metadata.name", message: /VirtualMachine\/web-2 is defined twice/ },
  },
  {
    reason: "dangling provider reference",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "", "pvx") },
    expect: { file: "a.yaml", line: 6, column: 13, code: "dangling-reference", path: "spec.provider", message: /provider "pvx" is not defined/ },
  },
  {
    reason: "dangling share in mounts",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  mounts: [{ share: media, path: /mnt }]\n") },
    expect: { file: "a.yaml", line: 10, column: 21, code: "dangling-reference", path: "spec.mounts[0].share", message: /share "media" is not defined/ },
  },
  {
    reason: "template cycle",
    files: {
      "t.yaml": "apiVersion: vmsync.io/v1\nkind: VmTemplate\nmetadata: {name: a}\nspec: {template: b}\n---\napiVersion: vmsync.io/v1\nkind: VmTemplate\nmetadata: {name: b}\nspec: {template: a}\n",
    },
    expect: { file: "t.yaml", line: 9, column: 18, code: "template-cycle", path: "spec.template", message: /template cycle: a → b → a/ },
  },
  {
    reason: "dependency cycle through dependsOn",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  dependsOn: [VirtualMachine/b]\n") + "---\n" + vm("b", "  dependsOn: [VirtualMachine/a]\n") },
    expect: { file: "a.yaml", line: 4, column: 9, code: "dependency-cycle", path: "spec.dependsOn", message: /dependency cycle: VirtualMachine\/a → VirtualMachine\/b → VirtualMachine\/a/ },
  },
  {
    reason: "inline secret",
    files: { "p.yaml": proxmoxProvider.replace("{ env: PVE_SECRET }", "s3cr3t") },
    expect: { file: "p.yaml", line: 10, column: 18, code: "inline-secret", path: "spec.auth.tokenSecret", message: /a secret is written inline/ },
  },
  {
    reason: "{file:} secret that escapes the manifest tree",
    files: { "p.yaml": proxmoxProvider.replace("{ env: PVE_SECRET }", "{ file: ../../etc/shadow }") },
    expect: { file: "p.yaml", line: 10, column: 26, code: "secret-file-escapes", path: "spec.auth.tokenSecret.file", message: /points outside the manifest tree/ },
  },
  {
    reason: "Proxmox VMID out of range",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  vmid: 42\n") },
    expect: { file: "a.yaml", line: 10, column: 9, code: "invalid-value", path: "spec.vmid", message: /must be >= 100/ },
  },
  {
    reason: "VMIDs of replicas collide with another VM",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  vmid: 200\n  replicas: 3\n") + "---\n" + vm("b", "  vmid: 202\n") },
    expect: { file: "a.yaml", line: 22, column: 9, code: "name-collision", path: "spec.vmid", message: /VMID 202 of VirtualMachine\/b is also used by VirtualMachine\/a-3/ },
  },
  {
    reason: "name a provider would reject (Proxmox: DNS-style)",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("Web_1") },
    expect: { file: "a.yaml", line: 4, column: 9, code: "invalid-format", path: "metadata.name", message: /"Web_1" has the wrong format/ },
  },
  {
    reason: "Proxmox externalName that is not a DNS name",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  externalName: web_1\n") },
    expect: { file: "a.yaml", line: 10, column: 17, code: "invalid-name", path: "spec.externalName", message: /"web_1" is not a valid Proxmox VM name/ },
  },
  {
    reason: "TrueNAS name mapping collision (externalName vs mapped name)",
    files: { "n.yaml": truenasProvider, "a.yaml": vm("web-1", "", "nas") + "---\n" + vm("other", "  externalName: web_1\n", "nas") },
    expect: { file: "a.yaml", line: 14, column: 9, code: "name-collision", path: "metadata.name", message: /TrueNAS VM name web_1 of VirtualMachine\/other is also used by VirtualMachine\/web-1/ },
  },
  {
    reason: "TrueNAS externalName with characters TrueNAS rejects",
    files: { "n.yaml": truenasProvider, "a.yaml": vm("a", "  externalName: a-b\n", "nas") },
    expect: { file: "a.yaml", line: 10, column: 17, code: "invalid-name", path: "spec.externalName", message: /"a-b" is not a valid TrueNAS VM name/ },
  },
  {
    reason: "Azure VM name rule (externalName ending in a hyphen)",
    files: { "z.yaml": azureProvider, "a.yaml": azureVm("a", "  externalName: web-\n") },
    expect: { file: "a.yaml", line: 15, column: 17, code: "invalid-name", path: "spec.externalName", message: /"web-" is not a valid Azure VM name: it must not end with '.' or '-'/ },
  },
  {
    reason: "Azure storage account name rule",
    files: { "z.yaml": azureProvider, "s.yaml": "apiVersion: vmsync.io/v1\nkind: NfsShare\nmetadata: {name: files}\nspec:\n  provider: az\n  size: 100GiB\n  azure: {storageAccount: Team_Files}\n" },
    expect: { file: "s.yaml", line: 7, column: 27, code: "invalid-format", path: "spec.azure.storageAccount", message: /"Team_Files" has the wrong format/ },
  },
  {
    reason: "Azure tags in the old list form: a migration error that shows the map to write",
    files: { "z.yaml": azureProvider, "a.yaml": azureVm("a", "  tags: [web, prod]\n") },
    expect: { file: "a.yaml", line: 15, column: 9, code: "invalid-value", path: "spec.tags", message: /Azure tags are key: value pairs \(a map, as in Azure\), not a list/ },
  },
  {
    reason: "Proxmox tags written as a map",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  tags: { role: web }\n") },
    expect: { file: "a.yaml", line: 10, column: 9, code: "invalid-value", path: "spec.tags", message: /Proxmox tags are words \(a list\)/ },
  },
  {
    reason: "a YAML 1.1 !!binary value (found by the soak trials: it crashed validation as a Uint8Array)",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  tags: !!binary AAAA\n") },
    expect: { file: "a.yaml", line: 10, column: 9, code: "yaml-tag", path: "", message: /YAML tag !!binary is not supported in manifests/ },
  },
  {
    reason: "a YAML 1.1 !!set",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  tags: !!set { web }\n") },
    expect: { file: "a.yaml", line: 10, column: 9, code: "yaml-tag", path: "", message: /YAML tag !!set is not supported/ },
  },
  {
    reason: "alias bomb",
    files: {
      "bomb.yaml": 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    },
    expect: { file: "bomb.yaml", line: 1, column: 1, code: "yaml-alias-limit", path: "", message: /aliases/ },
  },
  {
    reason: "file over the size limit",
    files: { "huge.yaml": "# " + "x".repeat(1024 * 1024) + "\n" },
    expect: { file: "huge.yaml", line: 1, column: 1, code: "file-too-large", path: "", message: /limited to 1048576 bytes/ },
  },
  {
    reason: "field that belongs to another provider type",
    files: { "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  size: Standard_D2s_v5\n") },
    expect: { file: "a.yaml", line: 10, column: 9, code: "field-not-for-provider", path: "spec.size", message: /size applies to azure VMs, but provider "pve" is proxmox/ },
  },
  {
    reason: "invalid cron schedule",
    files: {
      "p.yaml": proxmoxProvider,
      "a.yaml": vm("a") + "---\napiVersion: vmsync.io/v1\nkind: SnapshotSchedule\nmetadata: {name: s}\nspec:\n  targets: [{kind: VirtualMachine, name: a}]\n  schedule: every day\n  retention: {keepLast: 3}\n",
    },
    expect: { file: "a.yaml", line: 16, column: 13, code: "invalid-schedule", path: "spec.schedule", message: /"every day" is not a schedule/ },
  },
];

describe("bad input gives exact diagnostics", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  it.each(rows)("$reason", async (row) => {
    tree = await tempTree(row.files);
    const result = await loadManifests(["."], tree.dir);
    expect(result.errors).toBeGreaterThan(0);
    const match = result.diagnostics.find((d) => d.code === row.expect.code);
    expect(match, JSON.stringify(result.diagnostics, null, 2)).toBeDefined();
    expect({ file: match!.file, line: match!.line, column: match!.column, path: match!.path }).toEqual({
      file: row.expect.file, line: row.expect.line, column: row.expect.column, path: row.expect.path,
    });
    expect(match!.message).toMatch(row.expect.message);
    expect(match!.hint ?? "").not.toBe("");
  });

  it("an Azure VM needs no memory (its size decides), and its tags map loads", async () => {
    tree = await tempTree({ "z.yaml": azureProvider, "a.yaml": azureVm("a", "  tags: { role: web, env: prod }\n").replace("  memory: 4GiB\n", "") });
    const result = await loadManifests(["."], tree.dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.desired.resources[0]!.spec).toMatchObject({ tags: { role: "web", env: "prod" } });
    expect((result.desired.resources[0]!.spec as { memory?: string }).memory).toBeUndefined();
  });

  it("the Azure tags migration error shows the map to write, also for list tags inherited from a template", async () => {
    tree = await tempTree({ "z.yaml": azureProvider, "t.yaml": "apiVersion: vmsync.io/v1\nkind: VmTemplate\nmetadata: {name: base}\nspec: {tags: [web]}\n", "a.yaml": azureVm("a", "  template: base\n") });
    const result = await loadManifests(["."], tree.dir);
    expect(result.diagnostics).toMatchObject([{ code: "invalid-value", file: "a.yaml", path: "spec.tags", message: expect.stringMatching(/inherited from VmTemplate\/base/), hint: 'Write tags: { web: "" } (a key with an empty value is a bare tag), here or in the template.' }]);
  });

  it("reports an empty folder clearly", async () => {
    tree = await tempTree({ "README.md": "nothing here" });
    const result = await loadManifests(["."], tree.dir);
    expect(result.diagnostics).toMatchObject([{ code: "no-manifests", line: 1, column: 1, message: expect.stringMatching(/no manifests/) }]);
  });

  it("reports every problem at once, across files", async () => {
    tree = await tempTree({ "p.yaml": proxmoxProvider, "a.yaml": vm("a", "  memroy: 1GiB\n"), "b.yaml": vm("b", "", "nope"), "c.yaml": "kind: [\n" });
    const result = await loadManifests(["."], tree.dir);
    expect(result.diagnostics.map((d) => `${d.file}:${d.code}`).sort()).toEqual(["a.yaml:unknown-field", "b.yaml:dangling-reference", "c.yaml:yaml-syntax"]);
  });
});
