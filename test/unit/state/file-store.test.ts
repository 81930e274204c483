import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile, appendFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateLockedError, emptyState } from "../../../src/state/contract.js";
import { deadPid, sampleHistory, sampleRecord } from "../../helpers/state-contract.js";
import { FileStateStore, StateFileCorruptError, openFileStateStore } from "../../../src/state/file-store.js";
import { LockFileCorruptError } from "../../../src/state/file-lock.js";

const posix = process.platform !== "win32";
const mode = async (p: string) => (await stat(p)).mode & 0o777;
const me = () => ({ host: hostname(), pid: process.pid, user: "tester", command: "vmsync apply" });

let dir: string;
let stores: FileStateStore[];
const open = async (opts?: { stack?: string }) => {
  const s = await openFileStateStore(dir, opts);
  stores.push(s);
  return s;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-fs-"));
  stores = [];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe("file state store: layout and modes", () => {
  it("keeps state.json, history.jsonl and lock.json in <dir>/.vmsync", async () => {
    const s = await open();
    expect(s.location).toBe(join(s.folder, "state.json"));
    expect(s.folder.endsWith(".vmsync")).toBe(true);
    await s.commit([{ type: "putResource", record: sampleRecord("a") }]);
    await s.appendHistory(sampleHistory("h1"));
    const h = await s.lock(me());
    expect((await readdir(s.folder)).sort()).toEqual(["history.jsonl", "lock.json", "state.json"]);
    expect(JSON.parse(await readFile(s.statePath, "utf8")).resources["VirtualMachine/a"]).toEqual(sampleRecord("a"));
    expect(JSON.parse(await readFile(s.lockPath, "utf8"))).toEqual(h.info);
    const lines = (await readFile(s.historyPath, "utf8")).split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual(sampleHistory("h1"));
    await h.release();
    expect((await readdir(s.folder)).sort()).toEqual(["history.jsonl", "state.json"]);
  });

  it.runIf(posix)("creates the folder 0700 and every file 0600", async () => {
    const old = process.umask(0o022);
    try {
      const s = await open();
      expect(await mode(s.folder)).toBe(0o700);
      await s.commit([{ type: "putResource", record: sampleRecord("a") }]);
      await s.appendHistory(sampleHistory("h1"));
      await s.lock(me());
      for (const f of [s.statePath, s.historyPath, s.lockPath]) expect(await mode(f)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it.runIf(posix)("narrows wider modes of an existing folder and files", async () => {
    const folder = join(dir, ".vmsync");
    await mkdir(folder);
    await chmod(folder, 0o755);
    for (const f of ["state.json", "history.jsonl"]) {
      await writeFile(join(folder, f), f === "state.json" ? JSON.stringify(emptyState()) : "");
      await chmod(join(folder, f), 0o644);
    }
    const s = await open();
    expect(await mode(folder)).toBe(0o700);
    expect(await mode(s.statePath)).toBe(0o600);
    expect(await mode(s.historyPath)).toBe(0o600);
  });

  it("keeps a named stack in its own folder", async () => {
    const a = await open();
    const b = await open({ stack: "prod" });
    expect(b.folder).toBe(join(a.folder, "stacks", "prod"));
    await b.commit([{ type: "putResource", record: sampleRecord("p") }]);
    expect(await a.read()).toEqual(emptyState());
    expect((await open({ stack: "default" })).location).toBe(a.location);
    await expect(openFileStateStore(dir, { stack: "../x" })).rejects.toThrow(/invalid stack name/);
  });

  it("requires the manifest folder to exist", async () => {
    await expect(openFileStateStore(join(dir, "missing"))).rejects.toThrow(/does not exist/);
  });

  it("refuses to work after close", async () => {
    const s = await open();
    await s.close();
    await expect(s.read()).rejects.toThrow(/closed/);
  });
});

describe("file state store: crash safety", () => {
  it("ignores and cleans a temp file left by a writer that died mid-commit", async () => {
    const s = await open();
    await s.commit([{ type: "putResource", record: sampleRecord("a") }]);
    const before = await readFile(s.statePath, "utf8");
    const pid = await deadPid();
    const leftover = join(s.folder, `.state.json.${pid}.deadbeef.tmp`);
    await writeFile(leftover, '{"formatVersion":1,"serial":2,"resources":{"Virt'); // torn
    expect((await s.read()).serial).toBe(1);
    const s2 = await open();
    expect(await readdir(s2.folder)).not.toContain(`.state.json.${pid}.deadbeef.tmp`);
    expect(await readFile(s2.statePath, "utf8")).toBe(before);
    expect((await s2.read()).resources["VirtualMachine/a"]).toEqual(sampleRecord("a"));
  });

  it("leaves a live writer's temp file alone", async () => {
    const s = await open();
    const live = join(s.folder, `.state.json.${process.ppid}.cafe.tmp`);
    await writeFile(live, "partial");
    await open();
    expect(await readdir(s.folder)).toContain(`.state.json.${process.ppid}.cafe.tmp`);
  });

  it("never leaves a partial or temp file behind, also when a commit fails", async () => {
    const s = await open();
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.commit([{ type: "putResource", record: sampleRecord(`v${i}`) }])));
    const good = await readFile(s.statePath, "utf8");
    const bad = sampleRecord("bad", { appliedSpec: { n: 1n } }); // BigInt: not JSON
    await expect(s.commit([{ type: "putResource", record: bad }])).rejects.toThrow();
    expect(await readFile(s.statePath, "utf8")).toBe(good);
    expect((await readdir(s.folder)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(JSON.parse(good).serial).toBe(10);
  });

  it("serialises commits of two store instances on the same folder in one process", async () => {
    const a = await open();
    const b = await open();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).commit([{ type: "putResource", record: sampleRecord(`v${i}`) }])),
    );
    const snap = await a.read();
    expect(snap.serial).toBe(20);
    expect(Object.keys(snap.resources)).toHaveLength(20);
  });
});

describe("file state store: corrupt state", () => {
  for (const [what, text, re] of [
    ["invalid JSON", '{"formatVersion":1,"serial":', /invalid JSON/],
    ["an empty file", "", /empty/],
    ["a newer format", JSON.stringify({ ...emptyState(), formatVersion: 2 }), /newer vmsync/],
    ["a non-snapshot", JSON.stringify([1, 2]), /not a JSON object/],
    ["a bad serial", JSON.stringify({ ...emptyState(), serial: -1 }), /serial/],
  ] as const) {
    it(`reports ${what} naming the file, with a hint, and never overwrites it`, async () => {
      const s = await open();
      await writeFile(s.statePath, text);
      const err = await s.read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateFileCorruptError);
      expect((err as Error).message).toContain(s.statePath);
      expect((err as Error).message).toMatch(re);
      expect((err as StateFileCorruptError).hint).toMatch(/Restore the file/);
      await expect(s.commit([{ type: "putResource", record: sampleRecord("a") }])).rejects.toBeInstanceOf(StateFileCorruptError);
      expect(await readFile(s.statePath, "utf8")).toBe(text);
    });
  }
});

describe("file state store: history file", () => {
  it("tolerates a torn last line and repairs it on the next append", async () => {
    const s = await open();
    await s.appendHistory(sampleHistory("h1"));
    await s.appendHistory(sampleHistory("h2"));
    await appendFile(s.historyPath, '{"id":"h3","command":"vmsync ap');
    expect((await s.history()).map((h) => h.id)).toEqual(["h2", "h1"]);
    await s.appendHistory(sampleHistory("h4"));
    expect((await s.history()).map((h) => h.id)).toEqual(["h4", "h2", "h1"]);
    const lines = (await readFile(s.historyPath, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(["h1", "h2", "h4"]);
  });

  it("keeps a complete last entry that only lacks its newline", async () => {
    const s = await open();
    await writeFile(s.historyPath, JSON.stringify(sampleHistory("h1")));
    expect((await s.history()).map((h) => h.id)).toEqual(["h1"]);
    await s.appendHistory(sampleHistory("h2"));
    expect((await s.history()).map((h) => h.id)).toEqual(["h2", "h1"]);
  });

  it("reports a corrupt line in the middle with file and line number", async () => {
    const s = await open();
    await writeFile(s.historyPath, `${JSON.stringify(sampleHistory("h1"))}\nnot json\n${JSON.stringify(sampleHistory("h2"))}\n`);
    await expect(s.history()).rejects.toThrow(`${s.historyPath}:2`);
  });

  it("rejects a bad limit", async () => {
    const s = await open();
    await expect(s.history(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(s.history(1.5)).rejects.toBeInstanceOf(RangeError);
  });

  it("keeps concurrent appends whole", async () => {
    const s = await open();
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.appendHistory(sampleHistory(`h${i}`))));
    expect((await s.history()).map((h) => h.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `h${i}`).sort());
  });
});

describe("file state store: lock file", () => {
  it("reclaims a lock.json left by a dead pid on this host", async () => {
    const s = await open();
    const pid = await deadPid();
    const stale = { id: "stale-1", host: hostname(), pid, user: "ghost", command: "vmsync apply", acquiredAt: "2024-01-01T00:00:00Z" };
    await writeFile(s.lockPath, JSON.stringify(stale));
    const h = await s.lock(me());
    expect(JSON.parse(await readFile(s.lockPath, "utf8")).id).toBe(h.info.id);
    expect(await readdir(s.folder)).toEqual(["lock.json"]); // no guard or temp left
  });

  it("lets exactly one of several concurrent reclaimers take a stale lock", async () => {
    const stores = await Promise.all([open(), open(), open(), open()]);
    const pid = await deadPid();
    for (let round = 0; round < 10; round++) {
      const stale = { id: `stale-${round}`, host: hostname(), pid, user: "ghost", command: "c", acquiredAt: "x" };
      await writeFile(stores[0]!.lockPath, JSON.stringify(stale));
      const results = await Promise.allSettled(stores.map((s, i) => s.lock({ ...me(), user: `r${i}` })));
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      const info = (won[0] as PromiseFulfilledResult<{ info: { id: string } }>).value.info;
      for (const r of results) {
        if (r.status === "rejected") expect((r.reason as StateLockedError).holder?.id).toBe(info.id);
      }
      expect(JSON.parse(await readFile(stores[0]!.lockPath, "utf8")).id).toBe(info.id);
    }
  });

  it("does not reclaim a dead pid's lock from another host", async () => {
    const s = await open();
    const pid = await deadPid();
    const remote = { id: "r-1", host: "build-7.example", pid, user: "ci", command: "vmsync apply", acquiredAt: "2024-01-01T00:00:00Z" };
    await writeFile(s.lockPath, JSON.stringify(remote));
    const err = await s.lock(me()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect((err as Error).message).toContain("ci@build-7.example");
    expect((err as Error).message).toContain(s.location);
  });

  it("reports an unreadable lock file and lets forceUnlock remove it", async () => {
    const s = await open();
    await writeFile(s.lockPath, "garbage");
    const err = await s.lock(me()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockFileCorruptError);
    expect((err as Error).message).toContain(s.lockPath);
    expect((err as LockFileCorruptError).hint).toContain("vmsync state unlock");
    expect(await s.forceUnlock()).toBeUndefined();
    await (await s.lock(me())).release();
  });

  it("clears a reclaim guard left by a dead reclaimer", async () => {
    const s = await open();
    const pid = await deadPid();
    await writeFile(`${s.lockPath}.reclaim`, JSON.stringify({ host: hostname(), pid, at: "x" }));
    await writeFile(s.lockPath, JSON.stringify({ id: "stale", host: hostname(), pid, user: "g", command: "c", acquiredAt: "x" }));
    const h = await s.lock(me());
    expect(h.info.user).toBe("tester");
    await h.release();
  });

  it("releases locks taken through the store when it is closed", async () => {
    const s = await open();
    await s.lock(me());
    await s.close();
    const t = await open();
    await (await t.lock(me())).release();
  });
});
