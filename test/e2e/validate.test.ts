import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

describe("vmsync validate (as a process)", () => {
  it.each(["demo", "homelab", "azure-dev"])("passes on examples/clusters/%s", async (name) => {
    const r = await runCli(["validate", `examples/clusters/${name}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid\./);
  });

  it("exits 1 with every diagnostic, positions first, no colour when not a TTY", async () => {
    const tree = await tempTree({ "a.yaml": "apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec: {provider: p, memroy: 1GiB}\n", "b.yaml": "x: [\n" });
    try {
      const r = await runCli(["validate", tree.dir], { cwd: tree.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("a.yaml:4:21: error: spec.memroy: unknown field \"memroy\"");
      expect(r.stderr).toContain("b.yaml:2:1: error: YAML syntax error");
      expect(r.stderr).toMatch(/errors — nothing was changed/);
      expect(r.stderr).not.toMatch(/\u001b\[/);
    } finally {
      await tree.cleanup();
    }
  });

  it("prints machine-readable diagnostics with --json", async () => {
    const tree = await tempTree({ "a.yaml": "apiVersion: vmsync.io/v1\nkind: Nope\nmetadata: {name: a}\nspec: {}\n" });
    try {
      const r = await runCli(["validate", ".", "--json"], { cwd: tree.dir });
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ formatVersion: 1, valid: false, diagnostics: [{ file: "a.yaml", line: 2, column: 7, code: "unknown-kind", path: "kind" }] });
    } finally {
      await tree.cleanup();
    }
  });

  it("honours NO_COLOR even when colour is forced", async () => {
    const r = await runCli(["validate", "nowhere"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\u001b\[/);
    const coloured = await runCli(["validate", "nowhere"], { env: { FORCE_COLOR: "1" } });
    expect(coloured.stderr).toMatch(/\u001b\[/);
  });

  it("has --help with examples and --version", async () => {
    const help = await runCli(["validate", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    const version = await runCli(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rejects an unknown flag with exit 1 and a pointer to --help", async () => {
    const r = await runCli(["validate", "--frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
