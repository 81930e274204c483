import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCacheDir } from "../../src/cli/compile-cache.js";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

/** Node ≥ 22.1 keeps the cache itself (module.enableCompileCache), in its own layout. */
const nodeKeepsIt = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === "function";

let tree: TempTree;
beforeAll(async () => {
  tree = await tempTree({});
});
afterAll(() => tree.cleanup());

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe("the compile cache of the bundled CLI", () => {
  it("is written on the first run, private, and used as is by the next", async () => {
    const env = { XDG_CACHE_HOME: tree.path("cache-a") };
    const dir = compileCacheDir(env);
    const first = await runCli(["plan", "--help"], { cwd: tree.dir, env });
    expect(first.code).toBe(0);
    expect(entries(dir).length).toBeGreaterThan(0);
    if (nodeKeepsIt) return;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = entries(dir);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    const written = new Map(files.map((f) => [f, statSync(join(dir, f)).mtimeMs]));
    const second = await runCli(["plan", "--help"], { cwd: tree.dir, env });
    expect(second.stdout).toBe(first.stdout);
    // every chunk was served from the cache: nothing new, nothing rewritten
    expect(entries(dir)).toEqual(files);
    for (const f of files) expect(statSync(join(dir, f)).mtimeMs, f).toBe(written.get(f));
  });

  it.skipIf(nodeKeepsIt)("survives a corrupt entry: V8 rejects it, the run compiles as usual and rewrites it", async () => {
    const env = { XDG_CACHE_HOME: tree.path("cache-b") };
    const dir = compileCacheDir(env);
    await runCli(["--version"], { cwd: tree.dir, env });
    const [victim] = entries(dir);
    writeFileSync(join(dir, victim!), "not a code cache");
    const run = await runCli(["--version"], { cwd: tree.dir, env });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(join(dir, victim!), "utf8")).not.toBe("not a code cache");
  });

  it("keeps each install's own paths in stack traces (an entry is not shared by two copies of the same files)", async () => {
    // a second install of the same version: code V8 compiled under the first one's paths would name them
    const copy = tree.path("second-install");
    const { cpSync, symlinkSync } = await import("node:fs");
    for (const part of ["bin", "dist", "package.json", "prices", "schemas"]) cpSync(join(PACKAGE, part), join(copy, part), { recursive: true });
    symlinkSync(join(PACKAGE, "node_modules"), join(copy, "node_modules"));
    writeFileSync(tree.path("providers.yaml"), "apiVersion: vmsync.io/v1\nkind: Provider\nmetadata: { name: pve }\nspec:\n  type: proxmox\n  endpoint: https://127.0.0.1:1\n  auth: { tokenId: a@pam!b, tokenSecret: { env: VMSYNC_TEST_UNSET } }\n");
    writeFileSync(tree.path("vm.yaml"), "apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata: { name: a }\nspec: { provider: pve, memory: 1GiB, node: pve1, disks: [{ size: 1GiB, storage: local }], networks: [{ bridge: vmbr0 }] }\n");
    const env = { XDG_CACHE_HOME: tree.path("cache-d") };
    const args = ["plan", "providers.yaml", "vm.yaml", "--debug"];
    const first = await runCli(args, { cwd: tree.dir, env });
    const second = await runCli(args, { cwd: tree.dir, env, bin: join(copy, "bin", "vmsync.js") });
    expect(first.stderr).toContain(`${PACKAGE}/dist/bundle/`);
    expect(second.stderr).toContain(`${copy}/dist/bundle/`);
    expect(second.stderr).not.toContain(`${PACKAGE}/dist/bundle/`);
  });

  it("is off with VMSYNC_COMPILE_CACHE=0, and an unwritable cache folder only means compiling every time", async () => {
    const off = { XDG_CACHE_HOME: tree.path("cache-c"), VMSYNC_COMPILE_CACHE: "0" };
    expect((await runCli(["--version"], { cwd: tree.dir, env: off })).code).toBe(0);
    expect(existsSync(tree.path("cache-c"))).toBe(false);
    writeFileSync(tree.path("not-a-folder"), "");
    const blocked = await runCli(["--version"], { cwd: tree.dir, env: { XDG_CACHE_HOME: tree.path("not-a-folder") } });
    expect(blocked.code).toBe(0);
    expect(blocked.stderr).toBe("");
  });
});
