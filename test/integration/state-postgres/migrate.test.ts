/**
 * `vmsync state migrate --to postgres://…`: a file state with history moves into PostgreSQL and
 * reads back equal; running it again is a no-op; a different state in the target is refused unless
 * --force; the password never shows. Then the CLI uses the PostgreSQL state through --state.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileStateStore } from "../../../src/state/file-store.js";
import { openPgStateStore } from "../../../src/state/postgres/open.js";
import { sampleHistory, samplePending, sampleRecord } from "../../helpers/state-contract.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { runInProcess } from "./cli-io.js";
import { dropStack, testPgUrl, uniqueName } from "./pg-env.js";

let tree: TempTree;
let stack: string;
const password = () => new URL(testPgUrl()).password;

beforeEach(async () => {
  tree = await tempTree({ "vms.yaml": "# no manifests needed for state commands\n" });
  stack = uniqueName("migrate");
  const file = await openFileStateStore(tree.dir);
  await file.commit([{ type: "putResource", record: sampleRecord("web-1", { dependsOn: ["NfsShare/data"] }) }]);
  await file.commit([
    { type: "putResource", record: sampleRecord("db-1", { protect: true, origin: "imported", appliedSpec: { z: 1, a: [1, { b: "ü\n\"" }] } }) },
    { type: "putPending", pending: samplePending("web-2") },
  ]);
  await file.commit([{ type: "putResource", record: { ...sampleRecord("NfsShare-data"), address: "NfsShare/data", kind: "NfsShare" } }]);
  await file.appendHistory(sampleHistory("h1"));
  await file.appendHistory(sampleHistory("h2", { result: "partial", revision: "abc", steps: [{ address: "VirtualMachine/x", action: "delete", result: "failed", error: "boom" }] }));
  await file.appendHistory(sampleHistory("h3"));
  await file.close();
});
afterEach(async () => {
  await tree.cleanup();
  await dropStack(stack);
});

const cli = (...args: string[]) => runInProcess(["state", "-C", tree.dir, "--stack", stack, ...args], { cwd: tree.dir });

async function expectTargetEqualsFile(): Promise<void> {
  const file = await openFileStateStore(tree.dir);
  const pgStore = await openPgStateStore(testPgUrl(), { stack });
  try {
    expect(await pgStore.read()).toEqual(await file.read());
    expect(await pgStore.history()).toEqual(await file.history());
  } finally {
    await Promise.all([file.close(), pgStore.close()]);
  }
}

describe("vmsync state migrate", () => {
  it("moves the file state with its history, verified, and is a no-op the second time", async () => {
    const r = await cli("migrate", "--to", testPgUrl());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Moved 3 resources, 1 pending creates and 3 history entries (serial 3)");
    expect(r.stdout).not.toContain(password());
    expect(r.stdout).toContain(":***@");
    await expectTargetEqualsFile();

    const again = await cli("migrate", "--to", testPgUrl());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already holds this state");
    await expectTargetEqualsFile();
  });

  it("refuses a target holding a different state unless --force", async () => {
    expect((await cli("migrate", "--to", testPgUrl())).code).toBe(0);
    const file = await openFileStateStore(tree.dir);
    await file.commit([{ type: "removeResource", address: "VirtualMachine/web-1" }]);
    await file.appendHistory(sampleHistory("h4"));
    await file.close();

    const refused = await cli("migrate", "--to", testPgUrl());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already holds a different state (serial 3, 3 resources, 3 history entries)");
    expect(refused.stderr).toContain("--force");
    expect(refused.stderr).not.toContain(password());
    const pgStore = await openPgStateStore(testPgUrl(), { stack });
    expect((await pgStore.read()).serial).toBe(3);
    await pgStore.close();

    const forced = await cli("migrate", "--to", testPgUrl(), "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Moved 2 resources, 1 pending creates and 4 history entries (serial 4)");
    await expectTargetEqualsFile();
  });

  it("then list, history and unlock work on the PostgreSQL state through --state", async () => {
    expect((await cli("migrate", "--to", testPgUrl())).code).toBe(0);
    const list = await cli("--state", testPgUrl(), "list", "--no-headers");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual([
      "NfsShare/data", "VirtualMachine/db-1", "VirtualMachine/web-1", "VirtualMachine/web-2",
    ]);
    const history = await runInProcess(["history", "-C", tree.dir, "--stack", stack, "--state", testPgUrl(), "--json"], { cwd: tree.dir, env: { NO_COLOR: "1" } });
    expect((JSON.parse(history.stdout) as { history: Array<{ id: string }> }).history.map((h) => h.id)).toEqual(["h3", "h2", "h1"]);
    const pgStore = await openPgStateStore(testPgUrl(), { stack });
    const held = await pgStore.lock({ host: "ci-7", pid: 4242, user: "someone", command: "vmsync apply" });
    const refused = await runInProcess(["state", "-C", tree.dir, "--stack", stack, "unlock"], { cwd: tree.dir, env: { VMSYNC_STATE_URL: testPgUrl() } });
    expect(refused.code).toBe(1); // its holder's session is alive
    expect(refused.stderr).toContain("vmsync state unlock --force");
    const unlock = await runInProcess(["state", "-C", tree.dir, "--stack", stack, "unlock", "--force"], { cwd: tree.dir, env: { VMSYNC_STATE_URL: testPgUrl() } });
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain("Removed the lock held by someone@ci-7 (pid 4242");
    expect(held.info.user).toBe("someone");
    await pgStore.close();
  });

  it("rejects a --to that is not a PostgreSQL URL", async () => {
    const r = await cli("migrate", "--to", "/tmp/elsewhere");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--to must be a postgres:// URL");
  });
});
