import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyState, type StateSnapshot } from "../../../src/state/contract.js";
import { openFileStateStore, type FileStateStore } from "../../../src/state/file-store.js";
import { StateFiles } from "../../../src/state/state-files.js";
import { encodeEntries } from "../../../src/state/state-journal.js";
import { sampleRecord } from "../../helpers/state-contract.js";

const put = (name: string) => [{ type: "putResource" as const, record: sampleRecord(name) }];
const names = (s: StateSnapshot) => Object.keys(s.resources).sort();
const me = { host: hostname(), pid: process.pid, user: "tester", command: "vmsync apply" };

let dir: string;
let store: FileStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-journal-"));
  store = await openFileStateStore(dir, { journalAboveBytes: 0 });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("file state: journal", () => {
  it("appends each batch to state.journal without rewriting state.json, and folds it in when the lock is released", async () => {
    await store.commit(put("a"));
    const lock = await store.lock(me);
    const id = async () => stat(store.statePath).then((s) => `${s.ino}:${s.mtimeMs}:${s.size}`, () => "none");
    const before = await id();
    for (const n of ["b", "c", "d"]) await store.commit(put(n));
    expect(await id()).toBe(before); // untouched
    expect((await readFile(store.journalPath, "utf8")).trim().split("\n").length).toBeGreaterThanOrEqual(3);
    expect(names(await store.read())).toEqual(["VirtualMachine/a", "VirtualMachine/b", "VirtualMachine/c", "VirtualMachine/d"]);
    await lock.release();
    expect((await stat(store.journalPath)).size).toBe(0);
    const snap = JSON.parse(await readFile(store.statePath, "utf8")) as StateSnapshot;
    expect(snap.serial).toBe(4);
    expect(names(snap)).toHaveLength(4);
  });

  it("ignores a torn tail (a crash mid-append) and cuts it off before the next append", async () => {
    await store.commit(put("a"));
    await store.commit(put("b"));
    await appendFile(store.journalPath, '0123456789abcdef {"serial":3,"changes":[{"type":"putRes'); // no newline: torn
    expect((await store.read()).serial).toBe(2);
    await store.commit(put("c"));
    const reopened = await openFileStateStore(dir, { journalAboveBytes: 0 });
    const fresh = new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 }); // a reader with nothing in memory, as another process
    for (const s of [await reopened.read(), await fresh.read()]) {
      expect(s.serial).toBe(3);
      expect(names(s)).toEqual(["VirtualMachine/a", "VirtualMachine/b", "VirtualMachine/c"]);
    }
    expect((await readFile(store.journalPath, "utf8")).includes("putRes\"")).toBe(false);
    await reopened.close();
  });

  it("treats a complete last line with a wrong checksum as torn, but a bad line before good ones as corruption", async () => {
    await store.commit(put("a"));
    const good = await readFile(store.journalPath, "utf8");
    await appendFile(store.journalPath, `ffffffffffffffff {"serial":2,"changes":[]}\n`);
    expect((await new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 }).read()).serial).toBe(1);
    await writeFile(store.journalPath, `${good.replace('"a"', '"x"')}${encodeEntries([{ serial: 2, changes: put("b") }]).toString()}`);
    await expect(new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 }).read()).rejects.toMatchObject({ code: "STATE_CORRUPT", message: expect.stringContaining("state.journal:1") });
  });

  it("reports serials that skip a batch as corruption, never as an older state", async () => {
    await writeFile(store.journalPath, encodeEntries([{ serial: 1, changes: put("a") }, { serial: 3, changes: put("c") }]));
    await expect(new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 }).read()).rejects.toMatchObject({ code: "STATE_CORRUPT", message: expect.stringContaining("does not follow") });
  });

  it("skips journal entries a snapshot already holds (a crash between a compaction's rename and emptying the journal)", async () => {
    const journal = encodeEntries([{ serial: 1, changes: put("a") }, { serial: 2, changes: [{ type: "removeResource", address: "VirtualMachine/a" }] }, { serial: 3, changes: put("b") }]);
    await writeFile(store.journalPath, journal);
    await writeFile(store.statePath, JSON.stringify({ ...emptyState(), serial: 2 }));
    const s = await new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 }).read();
    expect(s.serial).toBe(3);
    expect(names(s)).toEqual(["VirtualMachine/b"]);
  });

  it("commits queued together are all durable, each with its own serial", async () => {
    const serials = await Promise.all(Array.from({ length: 25 }, (_, i) => store.commit(put(`v${i}`))));
    expect([...serials].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const other = new StateFiles(store.statePath, store.journalPath, { journalAboveBytes: 0 });
    expect(names(await other.read())).toHaveLength(25);
  });

  it("a reader racing commits and compactions always sees a whole state", async () => {
    const opts = { journalAboveBytes: 0, compactAboveBytes: 1024 }; // compacts every few commits
    const writer = new StateFiles(store.statePath, store.journalPath, opts);
    const reader = new StateFiles(store.statePath, store.journalPath, opts);
    let stop = false;
    const seen: Array<{ serial: number; count: number }> = [];
    const reading = (async () => {
      while (!stop) {
        const s = await reader.read();
        seen.push({ serial: s.serial, count: Object.keys(s.resources).length });
      }
    })();
    for (let i = 0; i < 60; i++) await writer.commit(put(`r${i}`));
    stop = true;
    await reading;
    expect(seen.length).toBeGreaterThan(5);
    for (const s of seen) expect(s.count).toBe(s.serial);
    expect((await reader.read()).serial).toBe(60);
  });
});
