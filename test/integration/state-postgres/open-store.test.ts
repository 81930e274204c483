/**
 * Choosing and opening the backend (flag, VMSYNC_STATE_URL, vmsync.config.yaml, file), password
 * handling (file or env, never shown, never in the config file), schema migrations (version table,
 * idempotent, concurrent, refusing a newer schema), stacks kept apart, and commit atomicity.
 */
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chooseStateBackend, openStateStore } from "../../../src/state/open-store.js";
import { FileStateStore } from "../../../src/state/file-store.js";
import { openPgStateStore } from "../../../src/state/postgres/open.js";
import { SCHEMA_VERSION } from "../../../src/state/postgres/schema.js";
import { PgStateStore } from "../../../src/state/postgres/store.js";
import { redactUrl } from "../../../src/state/postgres/url.js";
import { samplePending, sampleRecord } from "../../helpers/state-contract.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { runInProcess } from "./cli-io.js";
import { adminQuery, dropStack, testPgUrl, uniqueName } from "./pg-env.js";

let tree: TempTree;
let stack: string;
const schemas: string[] = [];
const full = () => new URL(testPgUrl());
const password = () => decodeURIComponent(full().password);
/** The test URL without its password. */
const bare = () => {
  const u = full();
  u.password = "";
  return u.toString();
};

beforeEach(async () => {
  tree = await tempTree({ "vms.yaml": "# state only\n" });
  stack = uniqueName("open");
});
afterEach(async () => {
  await tree.cleanup();
  await dropStack(stack);
  for (const s of schemas.splice(0)) await adminQuery(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
});

describe("choosing the backend", () => {
  it("prefers --state, then VMSYNC_STATE_URL, then vmsync.config.yaml, else the file backend", async () => {
    const base = { root: tree.dir, stack };
    expect(await chooseStateBackend({ ...base, env: {} })).toEqual({ backend: "file" });
    await writeFile(tree.path("vmsync.config.yaml"), "state:\n  url: postgres://cfg@db/x\n  passwordEnv: DBPW\n");
    expect(await chooseStateBackend({ ...base, env: {} })).toMatchObject({ backend: "postgres", url: "postgres://cfg@db/x" });
    expect(await chooseStateBackend({ ...base, env: { VMSYNC_STATE_URL: "postgres://env@db/x" } })).toMatchObject({ url: "postgres://env@db/x", origin: "VMSYNC_STATE_URL" });
    expect(await chooseStateBackend({ ...base, url: "postgres://flag@db/x", env: { VMSYNC_STATE_URL: "postgres://env@db/x" } })).toMatchObject({ url: "postgres://flag@db/x" });
    expect(await chooseStateBackend({ ...base, url: "file", env: { VMSYNC_STATE_URL: "postgres://env@db/x" } })).toEqual({ backend: "file" });
    expect(await openStateStore({ ...base, url: "file", env: {} })).toBeInstanceOf(FileStateStore);
  });

  it("refuses a password written in vmsync.config.yaml, and unknown keys", async () => {
    await writeFile(tree.path("vmsync.config.yaml"), "state:\n  url: postgres://u:hunter2@db/x\n");
    const err = await chooseStateBackend({ root: tree.dir, stack, env: {} }).catch((e: Error) => e);
    expect((err as Error).message).toContain("contains a password");
    expect((err as Error).message).not.toContain("hunter2");
    await writeFile(tree.path("vmsync.config.yaml"), "state:\n  url: postgres://u@db/x\n  password: x\n");
    await expect(chooseStateBackend({ root: tree.dir, stack, env: {} })).rejects.toThrow(/unknown key state.password/);
  });

  it("reads the password from passwordFile or passwordEnv and never shows it", async () => {
    await writeFile(tree.path("pw"), password() + "\n", { mode: 0o600 });
    await writeFile(tree.path("vmsync.config.yaml"), `state:\n  url: ${bare()}\n  passwordFile: pw\n`);
    const viaFile = await openStateStore({ root: tree.dir, stack, env: {} });
    expect(viaFile).toBeInstanceOf(PgStateStore);
    expect(viaFile.location).not.toContain(password());
    expect(JSON.stringify(viaFile)).not.toContain(password());
    await viaFile.commit([{ type: "putResource", record: sampleRecord("a") }]);
    await viaFile.close();

    await writeFile(tree.path("vmsync.config.yaml"), `state:\n  url: ${bare()}\n  passwordEnv: VMSYNC_DB_PW\n`);
    const viaEnv = await openStateStore({ root: tree.dir, stack, env: { VMSYNC_DB_PW: password() } });
    expect((await viaEnv.read()).serial).toBe(1);
    await viaEnv.close();
    const missing = await openStateStore({ root: tree.dir, stack, env: {} }).catch((e: Error) => e);
    expect((missing as Error).message).toContain("VMSYNC_DB_PW (passwordEnv) is not set");

    // the CLI picks the config file up by itself: the manifest loader does not mistake it for a manifest
    const list = await runInProcess(["state", "-C", tree.dir, "--stack", stack, "list"], { cwd: tree.dir, env: { VMSYNC_DB_PW: password() } });
    expect(list.stdout).toContain("VirtualMachine/a");
  });

  it("a wrong password fails with the redacted URL and no secret in the message", async () => {
    const u = full();
    u.password = "wrong-secret";
    const err = await openPgStateStore(u.toString(), { stack }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/cannot open the state database postgres:\/\/.*:\*\*\*@/);
    expect((err as Error).message).not.toContain("wrong-secret");
    expect(redactUrl("postgres://u:p%40ss@h:5432/db?sslmode=require")).toBe("postgres://u:***@h:5432/db?sslmode=require");
    expect(redactUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
  });
});

describe("schema and rows", () => {
  it("creates the schema once, concurrently, records its version, and refuses a newer one", async () => {
    const schema = uniqueName("vmsync_schema").toLowerCase();
    schemas.push(schema);
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPgStateStore(testPgUrl(), { stack, schema })));
    await Promise.all(stores.map((s) => s.close()));
    expect(await adminQuery(`SELECT version FROM "${schema}".vmsync_schema_version`)).toEqual([{ version: SCHEMA_VERSION }]);
    await adminQuery(`INSERT INTO "${schema}".vmsync_schema_version (version, description) VALUES (99, 'future')`);
    await expect(openPgStateStore(testPgUrl(), { stack, schema })).rejects.toThrow(/schema version 99, newer than/);
  });

  it("keeps stacks apart, one row per resource, and commits a batch all-or-nothing", async () => {
    const schema = uniqueName("vmsync_rows").toLowerCase();
    schemas.push(schema);
    const a = await openPgStateStore(testPgUrl(), { stack: "a", schema });
    const b = await openPgStateStore(testPgUrl(), { stack: "b", schema });
    try {
      await a.commit([{ type: "putResource", record: sampleRecord("x") }, { type: "putResource", record: sampleRecord("y") }]);
      expect((await b.read()).serial).toBe(0);
      expect(await adminQuery(`SELECT stack, address, external_id, protect FROM "${schema}".vmsync_resources ORDER BY address`)).toEqual([
        { stack: "a", address: "VirtualMachine/x", external_id: sampleRecord("x").externalId, protect: false },
        { stack: "a", address: "VirtualMachine/y", external_id: sampleRecord("y").externalId, protect: false },
      ]);
      // make the database fail half-way through a batch: nothing of it may stay
      await adminQuery(`CREATE FUNCTION "${schema}".boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$`);
      await adminQuery(`CREATE TRIGGER boom BEFORE INSERT ON "${schema}".vmsync_pending FOR EACH ROW EXECUTE FUNCTION "${schema}".boom()`);
      await expect(a.commit([
        { type: "removeResource", address: "VirtualMachine/x" },
        { type: "putResource", record: sampleRecord("z") },
        { type: "putPending", pending: samplePending("w") },
      ])).rejects.toThrow(/boom/);
      const snap = await a.read();
      expect(snap.serial).toBe(1);
      expect(Object.keys(snap.resources)).toEqual(["VirtualMachine/x", "VirtualMachine/y"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
