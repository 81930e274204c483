import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorldWriter, type WorldWriterOptions } from "../../../src/sim/world-writer.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await sleep(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

let tree: TempTree;
let file: string;
let writers: WorldWriter[];
/** The world: a counter that every change bumps; `calls` records when each serialisation ran. */
let world: { n: number };
let calls: number[];

/** A writer of `world` to `file`; `whileSerialising` runs inside each serialize() call. */
function writer(opts: Partial<WorldWriterOptions> = {}, whileSerialising?: () => void): WorldWriter {
  const w = new WorldWriter({
    file,
    serialize: () => {
      calls.push(performance.now());
      whileSerialising?.();
      return JSON.stringify(world);
    },
    delayMs: 10,
    ...opts,
  });
  writers.push(w);
  return w;
}

function change(w: WorldWriter): void {
  world.n++;
  w.markDirty();
}

const onDisk = async () => JSON.parse(await readFile(file, "utf8")) as { n: number };
const tempFiles = async () => (await readdir(tree.dir, { recursive: true })).filter((n) => n.endsWith(".tmp"));
/** Makes every write fail in its rename (EISDIR) — works as root too, unlike a read-only folder. */
const block = async () => {
  await rm(file, { recursive: true, force: true });
  await mkdir(join(file, "blocker"), { recursive: true });
};
const unblock = () => rm(file, { recursive: true, force: true });

beforeEach(async () => {
  tree = await tempTree();
  file = tree.path("world.json");
  writers = [];
  world = { n: 0 };
  calls = [];
});
afterEach(async () => {
  for (const w of writers) await w.close().catch(() => undefined);
  await tree.cleanup();
});

describe("WorldWriter: coalescing and spacing", () => {
  it("writes a burst of changes once, with the world as it is at the write", async () => {
    const w = writer();
    for (let i = 0; i < 1000; i++) change(w);
    await until(() => w.writes === 1, "the write");
    await sleep(50);
    expect(w.writes).toBe(1);
    expect(calls).toHaveLength(1);
    expect(await onDisk()).toEqual({ n: 1000 });
  });

  it("does not write before delayMs has passed since the change", async () => {
    const w = writer({ delayMs: 60 });
    const t0 = performance.now();
    change(w);
    await until(() => w.writes === 1, "the write");
    expect(calls[0]! - t0).toBeGreaterThanOrEqual(55); // timers may fire a few ms early by performance.now()
  });

  it("spaces writes by ten times the last serialisation when that is longer than delayMs", async () => {
    const w = writer({ delayMs: 1 }, () => {
      const end = performance.now() + 8;
      while (performance.now() < end); // a large world: serialising blocks the event loop
    });
    change(w);
    await w.flush();
    const t1 = performance.now();
    change(w);
    await until(() => w.writes === 2, "the second write");
    expect(calls[1]! - t1).toBeGreaterThanOrEqual(75);
  });

  it("writes changes made during a write in exactly one more write, spaced like any other", async () => {
    const w = writer({ delayMs: 30 }, () => {
      // a microtask runs after the write has started and before any of its file operations ends
      if (calls.length === 1) queueMicrotask(() => Array.from({ length: 100 }, () => change(w)));
    });
    change(w);
    await until(() => w.writes === 2, "the second write");
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(25);
    await sleep(80);
    expect(w.writes).toBe(2);
    expect(await onDisk()).toEqual({ n: 101 });
  });

  it("writes a change marked from inside serialize() in one more write", async () => {
    const doneAtStart: number[] = [];
    const w = writer({ delayMs: 0 }, () => {
      doneAtStart.push(w.writes);
      if (doneAtStart.length < 4) w.markDirty();
    });
    change(w);
    await until(() => w.writes === 4, "four writes");
    await sleep(30);
    expect(w.writes).toBe(4);
    expect(doneAtStart).toEqual([0, 1, 2, 3]); // one write at a time, though the timer fires mid-write
    expect(await tempFiles()).toEqual([]);
  });
});

describe("WorldWriter: the file", () => {
  it("replaces the file atomically (a new inode, never the old one rewritten) with mode 0600", async () => {
    await writeFile(file, JSON.stringify({ n: -1 }));
    await chmod(file, 0o644);
    const before = await stat(file);
    const w = writer();
    change(w);
    await w.flush();
    const after = await stat(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await onDisk()).toEqual({ n: 1 });
    expect(await tempFiles()).toEqual([]);
  });

  it("keeps 0600 under a umask that would leave the file unwritable", async () => {
    const old = process.umask(0o277);
    try {
      const w = writer();
      change(w);
      await w.flush();
    } finally {
      process.umask(old);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe("WorldWriter: flush() and close()", () => {
  it("writes pending changes at once, without waiting for delayMs, and cancels the timer", async () => {
    const w = writer({ delayMs: 60_000 });
    change(w);
    await w.flush();
    expect(w.writes).toBe(1);
    expect(await onDisk()).toEqual({ n: 1 });
  });

  it("does nothing when nothing changed", async () => {
    const w = writer();
    await w.flush();
    expect(w.writes).toBe(0);
    expect(await exists(file)).toBe(false);
  });

  it("waits for a running write and also writes what changed during it", async () => {
    const w = writer({ delayMs: 60_000 });
    change(w);
    const first = w.flush();
    for (let i = 0; i < 10; i++) change(w); // after the first write serialised, before it is on disk
    await first;
    expect(w.writes).toBe(2);
    expect(await onDisk()).toEqual({ n: 11 });
  });

  it("lets concurrent flushes share one write", async () => {
    const w = writer({ delayMs: 60_000 });
    change(w);
    await Promise.all([w.flush(), w.flush(), w.flush()]);
    expect(w.writes).toBe(1);
  });

  it("close() writes what is pending, then ignores changes", async () => {
    const w = writer({ delayMs: 5 });
    change(w);
    await w.close();
    expect(w.writes).toBe(1);
    change(w);
    await sleep(30);
    await w.flush();
    expect(w.writes).toBe(1);
    expect(await onDisk()).toEqual({ n: 1 });
  });
});

describe("WorldWriter: failed writes", () => {
  it("reports each failed write to onError, keeps it in lastError, removes its temp file; flush() resolves", async () => {
    const errors: unknown[] = [];
    const w = writer({ onError: (e) => errors.push(e) });
    await block();
    change(w);
    await w.flush();
    change(w);
    await w.flush();
    expect(errors).toHaveLength(2);
    expect(String(errors[1])).toMatch(/EISDIR/);
    expect(w.lastError).toBe(errors[1]);
    expect(w.writes).toBe(0);
    expect(await tempFiles()).toEqual([]);
  });

  it("does not retry by itself: the next change writes again, and success clears lastError", async () => {
    const errors: unknown[] = [];
    const w = writer({ onError: (e) => errors.push(e) });
    await block();
    change(w);
    await until(() => errors.length === 1, "the failed write");
    await unblock();
    await sleep(40);
    expect(errors).toHaveLength(1);
    expect(await exists(file)).toBe(false);
    change(w);
    await until(() => w.writes === 1, "the next write");
    expect(w.lastError).toBeUndefined();
    expect(await onDisk()).toEqual({ n: 2 });
  });

  it("with rejectFlush, flush() and close() reject with the newest failure until a write succeeds", async () => {
    const w = writer({ rejectFlush: true });
    await block();
    change(w);
    await expect(w.flush()).rejects.toThrow(/EISDIR/);
    await expect(w.flush()).rejects.toThrow(/EISDIR/); // still: the file misses that change
    await unblock();
    change(w);
    await expect(w.flush()).resolves.toBeUndefined();
    await block();
    change(w);
    await expect(w.close()).rejects.toThrow(/EISDIR/);
    change(w); // closed all the same
    expect(calls).toHaveLength(3);
  });

  it("counts a throwing serialize() as a failed write and keeps the old file", async () => {
    const errors: unknown[] = [];
    let broken = false;
    const w = writer({ onError: (e) => errors.push(e) }, () => {
      if (broken) throw new Error("cyclic world");
    });
    change(w);
    await w.flush();
    broken = true;
    change(w);
    await until(() => errors.length === 1, "the failed write");
    expect(String(errors[0])).toContain("cyclic world");
    expect(await onDisk()).toEqual({ n: 1 });
  });

  it("fails when the folder is gone, unless makeDir makes it again", async () => {
    const sub = tree.path("gone/deeper");
    file = join(sub, "world.json");
    const plain = writer({ rejectFlush: true });
    change(plain);
    await expect(plain.flush()).rejects.toThrow(/ENOENT/);
    const making = writer({ rejectFlush: true, makeDir: true });
    change(making);
    await making.flush();
    expect(await onDisk()).toEqual({ n: 2 });
  });
});
