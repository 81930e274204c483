import { describe, expect, it } from "vitest";
import { canonicalKeys } from "../../../src/guest/files/authorized-keys.js";
import { splitBlock, withBlock } from "../../../src/guest/files/block.js";
import { parseFindmnt } from "../../../src/guest/files/findmnt.js";
import { parseFstab } from "../../../src/guest/files/fstab.js";
import { commandLine, shellQuote } from "../../../src/guest/ssh/quote.js";
import { splitWords } from "../../../src/sim/ssh/shell-parse.js";

const owner = { stack: "prod", address: "VirtualMachine/web-1@guest" };

describe("vmsync's block in a guest file", () => {
  it("adds, replaces and removes only its own lines, keeping the rest byte for byte", () => {
    const base = "UUID=1 / ext4 defaults 0 1\n# BEGIN vmsync other VirtualMachine/x@guest\nnas:/x /x nfs ro 0 0\n# END vmsync other VirtualMachine/x@guest\n";
    const added = withBlock(splitBlock(base, owner), owner, ["nas:/a /mnt/a nfs hard 0 0"]);
    expect(added).toBe(`${base}# BEGIN vmsync prod VirtualMachine/web-1@guest\nnas:/a /mnt/a nfs hard 0 0\n# END vmsync prod VirtualMachine/web-1@guest\n`);
    const split = splitBlock(added, owner);
    expect(split.lines).toEqual(["nas:/a /mnt/a nfs hard 0 0"]);
    expect(split.lineNumbers).toEqual([1, 2, 3, 4]);
    expect(withBlock(split, owner, ["nas:/b /mnt/b nfs hard 0 0"])).toContain("nas:/b /mnt/b");
    expect(withBlock(split, owner, [])).toBe(base);
  });

  it("treats an unterminated block as running to the end, and an empty file as empty", () => {
    expect(splitBlock("a\n# BEGIN vmsync prod VirtualMachine/web-1@guest\nb\n", owner).lines).toEqual(["b"]);
    expect(withBlock(splitBlock("", owner), owner, [])).toBe("");
  });
});

describe("parsers", () => {
  it("reads fstab entries with octal escapes and their line numbers", () => {
    expect(parseFstab(["# c", "", "nas:/a\\040b /mnt/a\\040b nfs4 ro 0 0", "tmpfs /tmp"], [1, 2, 3, 9])).toEqual([
      { source: "nas:/a b", target: "/mnt/a b", fstype: "nfs4", options: "ro", line: 3 },
      { source: "tmpfs", target: "/tmp", fstype: "auto", options: "defaults", line: 9 },
    ]);
  });

  it("reads findmnt's raw output; the last mount on a target wins", () => {
    const m = parseFindmnt("/ /dev/sda1 ext4 rw\n/mnt/a\\x20b nas:/x nfs4 rw,vers=4.1\n/mnt/a\\x20b nas:/y nfs4 rw\n");
    expect(m.get("/mnt/a b")).toEqual({ target: "/mnt/a b", source: "nas:/y", fstype: "nfs4", options: "rw" });
  });

  it("canonicalises keys: trimmed, single spaces, sorted, unique, no comments", () => {
    expect(canonicalKeys(["  ssh-ed25519   AAAB  me ", "# x", "ssh-ed25519 AAAA", "ssh-ed25519 AAAB me"])).toEqual(["ssh-ed25519 AAAA", "ssh-ed25519 AAAB me"]);
  });
});

describe("command lines", () => {
  it("quotes every argument so that the guest's shell reads the same words back", () => {
    const args = ["tee", "/mnt/it's here", "plain/path_1.2", "a b", "$HOME", ""];
    expect(commandLine(args)).toBe(`tee '/mnt/it'\\''s here' plain/path_1.2 'a b' '$HOME' ''`);
    expect(splitWords(commandLine(args))).toEqual(args);
    expect(shellQuote("sudo")).toBe("sudo");
  });

  it("the simulated shell refuses what it does not implement instead of misreading it", () => {
    expect(splitWords("cat /etc/fstab; rm -rf /")).toEqual({ error: expect.stringContaining(";") });
    expect(splitWords('echo "$(id)"')).toEqual({ error: expect.stringContaining("expansion") });
    expect(splitWords("echo 'open")).toEqual({ error: expect.stringContaining("Unterminated") });
  });
});
