import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

/** `vmsync state unlock` and `state rm` as processes, against the file backend. */
describe("vmsync state unlock / rm", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  async function lockedBy(pid: number): Promise<TempTree> {
    const t = await tempTree({ "m.yaml": "# manifests\n" });
    await mkdir(join(t.dir, ".vmsync"), { recursive: true, mode: 0o700 });
    await writeFile(join(t.dir, ".vmsync", "lock.json"), JSON.stringify({ id: "x", host: hostname(), pid, user: "ci", command: "vmsync apply", acquiredAt: "2026-11-22T00:00:00.000Z" }), { mode: 0o600 });
    return t;
  }

  it("refuses to remove the lock of a process that still runs, unless --force", async () => {
    tree = await lockedBy(process.pid); // this test process: alive
    const refused = await runCli(["state", "unlock"], { cwd: tree.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/locked by ci@.*pid \d+.*still seems to run/);
    expect(refused.stderr).toContain("vmsync state unlock --force");
    const forced = await runCli(["state", "unlock", "--force"], { cwd: tree.dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Removed the lock held by ci@/);
  });

  it("clears the lock of a process that is gone without --force", async () => {
    tree = await lockedBy(2 ** 22 + 12345); // beyond pid_max: never a live process
    const r = await runCli(["state", "unlock"], { cwd: tree.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not locked/);
  });

  it("state rm waits for no one but refuses while an apply holds the lock", async () => {
    tree = await lockedBy(process.pid);
    const r = await runCli(["state", "rm", "VirtualMachine/web"], { cwd: tree.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is locked by ci@/);
  });

  it("keeps an explicitly named stack's file state apart from the default one", async () => {
    tree = await tempTree({ "m.yaml": "# manifests\n" });
    const named = await runCli(["state", "list", "--stack", "staging"], { cwd: tree.dir });
    expect(named.stderr).toContain(join(".vmsync", "stacks", "staging", "state.json"));
    const viaEnv = await runCli(["state", "list"], { cwd: tree.dir, env: { VMSYNC_STACK: "staging" } });
    expect(viaEnv.stderr).toContain(join(".vmsync", "stacks", "staging", "state.json"));
    const plain = await runCli(["state", "list"], { cwd: tree.dir });
    expect(plain.stderr).toMatch(/\.vmsync\/state\.json/);
    expect(plain.stderr).not.toContain("stacks");
  });
});
