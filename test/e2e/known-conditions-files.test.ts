/**
 * Conditions of the state files and the filesystem under them are plain errors with a hint (exit 1),
 * never "a bug", and leave the saved state as it was: an unreadable lock or state file, permission
 * denied, a read-only filesystem (a read-only tmpfs) and a full disk (a tiny tmpfs). The CLI runs as
 * a process. The mounts need root (skipped otherwise); as root, "permission denied" runs the CLI as
 * the unprivileged user `nobody`, as any other user it takes the folder's permissions away.
 */
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A Provider no resource uses: apply takes the lock, finds nothing to do and connects to nothing. */
const PROVIDER = `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: https://127.0.0.1:1
  auth: { tokenId: root@pam!x, tokenSecret: { env: PVE_TOKEN_SECRET } }
`;
const STATE = JSON.stringify({ formatVersion: 1, serial: 7, resources: {}, pending: {} }, null, 2) + "\n";
const env = { PVE_TOKEN_SECRET: "s" };

let root: string;
const mounts: string[] = [];

/** A manifest folder with a saved state, under `parent`. */
async function stack(parent: string, name: string): Promise<string> {
  const dir = join(parent, name);
  await mkdir(dir, { mode: 0o755 });
  await mkdir(join(dir, ".vmsync"), { mode: 0o700 });
  await writeFile(join(dir, "provider.yaml"), PROVIDER);
  await writeFile(join(dir, ".vmsync", "state.json"), STATE, { mode: 0o600 });
  return dir;
}

function mount(args: string[]): boolean {
  return spawnSync("mount", args, { stdio: "ignore" }).status === 0;
}

/** A tmpfs of `size` at a new folder under the test root, or undefined when mounting is not possible. */
async function tmpfs(name: string, size: string): Promise<string | undefined> {
  if (!isRoot) return undefined;
  const at = join(root, name);
  await mkdir(at);
  if (!mount(["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", at])) return undefined;
  mounts.push(at);
  return at;
}

function expectPlainError(r: CliRun, message: RegExp, hint: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(hint);
  expect(r.stderr).not.toMatch(/internal error|a bug in vmsync|github\.com/);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vmsync-fs-"));
  await chmod(root, 0o755); // `nobody` must be able to reach the folders below
});

afterAll(async () => {
  for (const m of mounts.reverse()) spawnSync("umount", ["-l", m], { stdio: "ignore" });
  await rm(root, { recursive: true, force: true });
});

describe("state and filesystem conditions are plain errors with a hint", () => {
  it("an unreadable lock file", async () => {
    const dir = await stack(root, "bad-lock");
    await writeFile(join(dir, ".vmsync", "lock.json"), "{not json");
    const r = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env });
    expectPlainError(r, /^error: lock file .*lock\.json is unreadable \(invalid JSON/m, /hint: If no vmsync process is using this state, run `vmsync state unlock`/);
    expect(await readFile(join(dir, ".vmsync", "state.json"), "utf8")).toBe(STATE);
  });

  it("an unreadable state file", async () => {
    const dir = await stack(root, "bad-state");
    await writeFile(join(dir, ".vmsync", "state.json"), '{"formatVersion": 1, "serial": ');
    const r = await runCli(["plan", dir, "--no-color"], { env });
    expectPlainError(r, /^error: state file .*state\.json is unreadable: invalid JSON/m, /hint: vmsync will not treat it as empty.*Restore the file from a backup/);
    expect(await readFile(join(dir, ".vmsync", "state.json"), "utf8")).toBe('{"formatVersion": 1, "serial": ');
  });

  it("permission denied on the state folder", async () => {
    const dir = await stack(root, "denied");
    let r: CliRun;
    if (isRoot) {
      r = await runCli(["state", "list", "-C", dir, "--no-color"], { env, uid: NOBODY, gid: NOBODY });
    } else {
      await chmod(join(dir, ".vmsync"), 0o000);
      r = await runCli(["state", "list", "-C", dir, "--no-color"], { env });
      await chmod(join(dir, ".vmsync"), 0o700);
    }
    expectPlainError(r, /^error: cannot open the state folder .*\.vmsync: permission denied \(EACCES\)/m, /hint: vmsync may not read or write .*\.vmsync: run it as the user who owns that folder/);
  });

  it.runIf(isRoot)("a state folder the user may read but not write (owned by another user)", async () => {
    const dir = await stack(root, "not-mine");
    await chmod(join(dir, ".vmsync"), 0o755);
    await chmod(join(dir, ".vmsync", "state.json"), 0o644);
    const r = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env, uid: NOBODY, gid: NOBODY });
    expectPlainError(r, /^error: cannot open the state folder .*\.vmsync: operation not permitted \(EPERM\)/m, /hint: vmsync may not read or write/);
    expect(await readFile(join(dir, ".vmsync", "state.json"), "utf8")).toBe(STATE);
  });

  it("a read-only filesystem", async (ctx) => {
    const fs = await tmpfs("ro", "1m");
    if (!fs) return ctx.skip();
    const dir = await stack(fs, "stack");
    expect(mount(["-o", "remount,ro", fs])).toBe(true);
    const r = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env });
    expectPlainError(r, /^error: cannot take the state lock .*lock\.json: read-only file system \(EROFS\)/m, /hint: .*\.vmsync is on a read-only filesystem: .*--state postgres:/);
    const list = await runCli(["state", "list", "-C", dir], { env });
    expect(list.code, list.stderr).toBe(0); // reading still works
    expect(await readFile(join(dir, ".vmsync", "state.json"), "utf8")).toBe(STATE);
  });

  it("a full disk; the same apply succeeds once there is space", async (ctx) => {
    const fs = await tmpfs("full", "256k");
    if (!fs) return ctx.skip();
    const dir = await stack(fs, "stack");
    const filler = join(fs, "filler");
    spawnSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k"], { stdio: "ignore" }); // stops at ENOSPC
    const r = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env });
    expectPlainError(r, /^error: cannot take the state lock .*lock\.json: no space left on device \(ENOSPC\)/m, /hint: The filesystem holding .*\.vmsync is full.*the last saved state is intact/);
    expect(await readFile(join(dir, ".vmsync", "state.json"), "utf8")).toBe(STATE);
    await rm(filler);
    const again = await runCli(["apply", dir, "--auto-approve", "--no-color"], { env });
    expect(again.code, again.stderr).toBe(0);
  });
});
