import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import type { DesiredResource } from "../../../src/manifest/model.js";
import { proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

const rootProvider = proxmoxProvider.replace("    tokenId: root@pam!t\n    tokenSecret: { env: PVE_SECRET }", "    username: root@pam\n    password: { env: PVE_PASSWORD }");
const share = `apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec:
  provider: nas
  size: 100GiB
  attachTo: [{ provider: pve, storage: nas-media }]
`;

function ct(name: string, extra = "", provider = "pve"): string {
  return `apiVersion: vmsync.io/v1
kind: Container
metadata:
  name: ${name}
spec:
  provider: ${provider}
${extra}`;
}
const OSTEMPLATE = "  ostemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst\n";

/** One row per rule: the files, and the diagnostic expected (position, code, path, message). */
interface Row {
  reason: string;
  files: Record<string, string>;
  expect: { file: string; line: number; column: number; code: string; path: string; message: RegExp };
}

const rows: Row[] = [
  {
    reason: "other provider types refuse the kind at spec.provider, naming kind and provider",
    files: { "p.yaml": truenasProvider, "c.yaml": ct("c", OSTEMPLATE, "nas") },
    expect: { file: "c.yaml", line: 6, column: 13, code: "wrong-provider-type", path: "spec.provider", message: /the Container kind is Proxmox VE only, but provider "nas" is truenas/ },
  },
  {
    reason: "neither ostemplate nor clone",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", "  cores: 2\n") },
    expect: { file: "c.yaml", line: 6, column: 3, code: "invalid-value", path: "spec", message: /exactly one of ostemplate or clone/ },
  },
  {
    reason: "an ostemplate that is not a vztmpl volume",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", "  ostemplate: local:iso/debian.iso\n") },
    expect: { file: "c.yaml", line: 7, column: 15, code: "invalid-format", path: "spec.ostemplate", message: /has the wrong format/ },
  },
  {
    reason: "a bind mount of a share on token auth names Proxmox's root@pam rule",
    files: { "p.yaml": proxmoxProvider, "n.yaml": `${truenasProvider}---\n${share}`, "c.yaml": ct("c", `${OSTEMPLATE}  mountPoints:\n    - { path: /media, share: media }\n`) },
    expect: { file: "c.yaml", line: 9, column: 30, code: "needs-root-pam", path: "spec.mountPoints[0].share", message: /bind mount point needs the root@pam user: Proxmox refuses it to API tokens \(even root@pam's\)/ },
  },
  {
    reason: "keyctl on token auth",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", `${OSTEMPLATE}  features: { nesting: true, keyctl: true }\n`) },
    expect: { file: "c.yaml", line: 8, column: 38, code: "needs-root-pam", path: "spec.features.keyctl", message: /feature keyctl needs the root@pam user/ },
  },
  {
    reason: "a bind of a share that is not attached to this Proxmox provider",
    files: { "p.yaml": rootProvider, "n.yaml": `${truenasProvider}---\n${share.replace("  attachTo: [{ provider: pve, storage: nas-media }]\n", "")}`, "c.yaml": ct("c", `${OSTEMPLATE}  mountPoints:\n    - { path: /media, share: media }\n`) },
    expect: { file: "c.yaml", line: 9, column: 30, code: "share-not-attached", path: "spec.mountPoints[0].share", message: /NfsShare "media" is not attached to Proxmox provider "pve"/ },
  },
  {
    reason: "a mount point that is both a volume and a bind",
    files: { "p.yaml": rootProvider, "c.yaml": ct("c", `${OSTEMPLATE}  mountPoints:\n    - { path: /x, size: 1GiB, hostPath: /srv/x }\n`) },
    expect: { file: "c.yaml", line: 9, column: 7, code: "invalid-value", path: "spec.mountPoints[0]", message: /exactly one of size .* share .* or hostPath/ },
  },
  {
    reason: "a gateway with dhcp",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", `${OSTEMPLATE}  networks: [{ gateway: 10.0.0.1 }]\n`) },
    expect: { file: "c.yaml", line: 8, column: 25, code: "invalid-value", path: "spec.networks[0].gateway", message: /a gateway needs a static ip/ },
  },
  {
    reason: "a clone cannot take SSH keys (Proxmox writes them only at create)",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", "  clone: { template: base }\n  sshKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b\"]\n") },
    expect: { file: "c.yaml", line: 8, column: 12, code: "invalid-value", path: "spec.sshKeys", message: /only applied when a container is created from an ostemplate/ },
  },
  {
    reason: "a VMID shared with a VM on the same provider",
    files: { "p.yaml": proxmoxProvider, "v.yaml": vm("web", "  vmid: 300\n"), "c.yaml": ct("c", `${OSTEMPLATE}  vmid: 300\n`) },
    expect: { file: "c.yaml", line: 8, column: 9, code: "name-collision", path: "spec.vmid", message: /VMID 300 of Container\/c is also used by VirtualMachine\/web/ },
  },
  {
    reason: "an inline root password",
    files: { "p.yaml": proxmoxProvider, "c.yaml": ct("c", `${OSTEMPLATE}  rootPassword: hunter22\n`) },
    expect: { file: "c.yaml", line: 8, column: 17, code: "inline-secret", path: "spec.rootPassword", message: /a secret is written inline/ },
  },
];

describe("Container manifests: positioned diagnostics", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  it.each(rows)("$reason", async (row) => {
    tree = await tempTree(row.files);
    const r = await loadManifests([tree.dir], tree.dir);
    expect(r.errors).toBeTruthy();
    const d = r.diagnostics.find((x) => x.code === row.expect.code && x.path === row.expect.path);
    expect(d, JSON.stringify(r.diagnostics, null, 2)).toBeDefined();
    expect({ file: d!.file.replace(`${tree.dir}/`, ""), line: d!.line, column: d!.column }).toEqual({ file: row.expect.file, line: row.expect.line, column: row.expect.column });
    expect(d!.message).toMatch(row.expect.message);
  });
});

describe("Container manifests: resolution", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  it("expands replicas with vmid + i - 1, fills defaults, maps share binds to their Proxmox storage and depends on the attachment", async () => {
    tree = await tempTree({
      "p.yaml": rootProvider,
      "n.yaml": `${truenasProvider}---\n${share}`,
      "c.yaml": ct("web", `${OSTEMPLATE}  replicas: 2\n  vmid: 500\n  mountPoints:\n    - { path: /media, share: media, subdir: films, readOnly: true }\n    - { path: /data, size: 2GiB }\n  networks: [{}]\n`),
    });
    const r = await loadManifests([tree.dir], tree.dir);
    expect(r.errors, JSON.stringify(r.diagnostics)).toBeFalsy();
    const cts = r.desired.resources.filter((x) => x.kind === "Container") as DesiredResource<"Container">[];
    expect(cts.map((c) => [c.address, c.externalName, c.spec.vmid])).toEqual([["Container/web-1", "web-1", 500], ["Container/web-2", "web-2", 501]]);
    const s = cts[0]!.spec;
    expect(s).toMatchObject({ node: "pve1", unprivileged: true, memory: "512MiB", swap: "512MiB", power: "running", onboot: false, rootfs: { size: "4GiB", storage: "local-lvm" }, shareStorages: { media: "nas-media" } });
    expect(s.mountPoints![1]!.storage).toBe("local-lvm");
    expect(s.networks).toEqual([{ bridge: "vmbr0", ip: "dhcp" }]);
    expect(cts[0]!.dependsOn).toEqual(["NfsShare/media@pve"]);
  });

  it("gives each replica its own MAC (pinned + i - 1) and refuses a VMID that would run past the range", async () => {
    tree = await tempTree({
      "p.yaml": rootProvider,
      "c.yaml": `${ct("web", `${OSTEMPLATE}  replicas: 3\n  networks: [{ mac: "BC:24:11:00:00:fe" }]\n`)}---\n${ct("edge", `${OSTEMPLATE}  replicas: 2\n  vmid: 999999999\n`)}`,
    });
    const r = await loadManifests([tree.dir], tree.dir);
    const macs = r.desired.resources.filter((x) => x.address.startsWith("Container/web-")).map((c) => (c.spec as { networks: Array<{ mac: string }> }).networks[0]!.mac);
    expect(macs).toEqual(["BC:24:11:00:00:fe", "BC:24:11:00:00:FF", "BC:24:11:00:01:00"]);
    const d = r.diagnostics.filter((x) => x.severity === "error");
    expect(d.map((x) => [x.path, x.message])).toEqual([["spec.vmid", "replica 2 of 2 would get VMID 1000000000, past 999999999"]]);
  });

  it("makes a clone of a template in the manifests depend on it, and warns about snapshot schedules on containers with bind mounts", async () => {
    tree = await tempTree({
      "p.yaml": rootProvider,
      "c.yaml": `${ct("base", `${OSTEMPLATE}  template: true\n`)}---\n${ct("app", "  clone: { template: base }\n  mountPoints: [{ path: /srv, hostPath: /srv/app }]\n")}`,
      "s.yaml": "apiVersion: vmsync.io/v1\nkind: SnapshotSchedule\nmetadata: { name: nightly }\nspec:\n  targets: [{ kind: Container, name: app }]\n  schedule: daily\n  retention: { keepLast: 3 }\n",
    });
    const r = await loadManifests([tree.dir], tree.dir);
    expect(r.errors, JSON.stringify(r.diagnostics)).toBeFalsy();
    expect(r.desired.resources.find((x) => x.address === "Container/app")!.dependsOn).toEqual(["Container/base"]);
    expect(r.desired.resources.find((x) => x.address === "SnapshotSchedule/nightly")!.dependsOn).toEqual(["Container/app"]);
    const w = r.diagnostics.find((d) => d.code === "not-snapshottable");
    expect(w?.severity).toBe("warning");
    expect(w?.message).toMatch(/Proxmox cannot snapshot Container\/app/);
  });
});
