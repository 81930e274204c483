import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifest/load.js";
import { proxmoxProvider, truenasProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

const share = (name: string) => `apiVersion: vmsync.io/v1
kind: NfsShare
metadata:
  name: ${name}
spec:
  provider: nas
  size: 10GiB
`;

const guest = (extra = "") => `  guest:
    ssh:
      user: ubuntu
      privateKey: { env: GUEST_KEY }
${extra}`;

describe("spec.guest", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  const load = async (files: Record<string, string>) => {
    tree = await tempTree({ "p.yaml": proxmoxProvider + "---\n" + truenasProvider, ...files });
    return loadManifests(["."], tree.dir);
  };

  it("derives VirtualMachine/NAME@guest per replica, depending on its VM and the shares it mounts", async () => {
    const r = await load({
      "s.yaml": share("media") + "---\n" + share("backup"),
      "v.yaml": vm("web", "  replicas: 2\n" + guest("    mounts:\n      - { share: media, path: /mnt/media }\n      - { share: backup, path: /mnt/backup, options: ro }\n    authorizedKeys: [\"ssh-ed25519 AAAAC3Nza ops\"]\n")),
    });
    expect(r.diagnostics).toEqual([]);
    const guests = r.desired.resources.filter((x) => x.provider === "guest");
    expect(guests.map((g) => [g.address, g.attachmentOf, g.dependsOn])).toEqual([
      ["VirtualMachine/web-1@guest", "VirtualMachine/web-1", ["VirtualMachine/web-1", "NfsShare/backup", "NfsShare/media"]],
      ["VirtualMachine/web-2@guest", "VirtualMachine/web-2", ["VirtualMachine/web-2", "NfsShare/backup", "NfsShare/media"]],
    ]);
    expect(Object.keys(guests[0]!.guestContext!.shares)).toEqual(["backup", "media"]);
    expect(guests[0]!.guestContext!.shares.media!.exporter).toEqual({ type: "truenas", endpoint: "wss://127.0.0.1:8443" });
  });

  it("is inherited from a template, and its problems are reported where they are written", async () => {
    const template = `apiVersion: vmsync.io/v1
kind: VmTemplate
metadata:
  name: base
spec:
${guest("    mounts:\n      - { share: nope, path: /mnt/x }\n")}`;
    const r = await load({ "t.yaml": template, "v.yaml": vm("a", "  template: base\n") });
    expect(r.diagnostics.map((d) => [d.file, d.line, d.path, d.code])).toEqual([["t.yaml", 11, "spec.guest.mounts[0].share", "dangling-reference"]]);
  });

  it("reports every problem at its position", async () => {
    const r = await load({
      "s.yaml": share("media"),
      "v.yaml": [
        vm("a", "  replicas: 2\n  mounts: [{ share: media, path: /mnt/m }]\n" + guest("    address: 10.0.0.9\n    mounts:\n      - { share: media, path: /mnt/m/ }\n      - { share: media, path: /mnt/x }\n      - { share: media, path: /mnt/x }\n")),
        vm("b", guest(), "nas"),
      ].join("---\n"),
    });
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => [d.line, d.path, d.code])).toEqual([
      [11, "spec.mounts", "migrate-mounts"],
      [16, "spec.guest.address", "invalid-value"],
      [18, "spec.guest.mounts[0].path", "invalid-value"],
      [20, "spec.guest.mounts[2].path", "duplicate-value"],
      [32, "spec.guest", "missing-field"],
    ]);
    expect(r.diagnostics.find((d) => d.code === "migrate-mounts")!.hint).toContain("spec.guest.mounts");
  });

  it("rejects an inline private key and a malformed host key", async () => {
    const r = await load({ "v.yaml": vm("a", "  guest:\n    ssh:\n      user: root\n      privateKey: \"-----BEGIN OPENSSH PRIVATE KEY-----\"\n      hostKey: SHA256:short\n") });
    expect(r.errors).toBeGreaterThanOrEqual(2);
    expect(r.diagnostics.map((d) => d.path)).toEqual(expect.arrayContaining(["spec.guest.ssh.privateKey", "spec.guest.ssh.hostKey"]));
    expect(JSON.stringify(r.diagnostics)).not.toContain("BEGIN OPENSSH");
  });

  it("warns and suspends the guest of a VM that is meant to be stopped", async () => {
    const r = await load({ "v.yaml": vm("a", "  power: stopped\n" + guest()) });
    expect(r.errors).toBe(0);
    expect(r.diagnostics.map((d) => [d.severity, d.code])).toEqual([["warning", "guest-not-reachable"]]);
    expect(r.desired.resources.find((x) => x.provider === "guest")?.lifecycle.suspend).toBe(true);
  });

  it("reserves the provider name guest", async () => {
    const r = await load({ "g.yaml": proxmoxProvider.replace("name: pve", "name: guest") });
    expect(r.diagnostics.map((d) => [d.path, d.code])).toEqual([["metadata.name", "reserved-name"]]);
  });

  it("maps ignoreChanges under spec.guest onto the guest resource", async () => {
    const r = await load({ "v.yaml": vm("a", "  ignoreChanges: [spec.memory, spec.guest.authorizedKeys]\n" + guest()) });
    const g = r.desired.resources.find((x) => x.address === "VirtualMachine/a@guest")!;
    expect(g.lifecycle.ignoreChanges).toEqual(["spec.authorizedKeys"]);
  });
});
