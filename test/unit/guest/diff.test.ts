import { describe, expect, it } from "vitest";
import { diffGuest, touchedBy } from "../../../src/guest/diff.js";

const ssh = { user: "ubuntu", port: 22, address: null, privateKey: { env: "K" }, passphrase: null, hostKey: "trust-on-first-use", via: null, connectTimeout: "10s", readyTimeout: "5m" };
const m = (source: string, mounted = true) => ({ source, fstype: "nfs", options: "hard", mounted });
const spec = (mounts: Record<string, unknown>, keys: string[] = []) => ({ vm: "VirtualMachine/a", ssh, mounts, authorizedKeys: keys });

describe("guest diff", () => {
  it("lists added, removed and changed mounts, and a changed key list", () => {
    const d = diffGuest(spec({ "/mnt/a": m("nas:/a"), "/mnt/b": m("nas:/b2") }, ["k2"]), spec({ "/mnt/b": m("nas:/b", false), "/mnt/c": m("nas:/c") }, ["k1"]));
    expect(d.map((c) => [c.path, c.before, c.after, c.effect])).toEqual([
      ["mounts./mnt/a", null, m("nas:/a"), "in-place"],
      ["mounts./mnt/b.source", "nas:/b", "nas:/b2", "in-place"],
      ["mounts./mnt/b.mounted", false, true, "in-place"],
      ["mounts./mnt/c", m("nas:/c"), null, "in-place"],
      ["authorizedKeys", ["k1"], ["k2"], "in-place"],
    ]);
    expect(touchedBy(d, ["/mnt/a", "/mnt/b", "/mnt/c"])).toEqual({ mounts: new Set(["/mnt/a", "/mnt/b", "/mnt/c"]), keys: true });
  });

  it("blocks taking over a mount point used outside vmsync's block, naming what uses it", () => {
    const [c] = diffGuest(spec({ "/mnt/a": m("nas:/a") }), spec({ "/mnt/a": { unmanaged: "line 4 of /etc/fstab: old:/x /mnt/a nfs ro 0 0" } }));
    expect(c).toMatchObject({ path: "mounts./mnt/a", effect: "unsupported" });
    expect(c!.note).toContain("line 4 of /etc/fstab");
  });

  it("shows access settings changes as in place (nothing changes inside the guest)", () => {
    const d = diffGuest(spec({}), { ...spec({}), ssh: { ...ssh, port: 2222 } });
    expect(d).toEqual([expect.objectContaining({ path: "ssh.port", before: 2222, after: 22, effect: "in-place" })]);
  });

  it("matches a change to the longest known mount point (paths with dots)", () => {
    expect(touchedBy([{ path: "mounts./mnt/a.b.mounted", before: false, after: true, effect: "in-place" }], ["/mnt/a", "/mnt/a.b"]).mounts).toEqual(new Set(["/mnt/a.b"]));
  });
});
