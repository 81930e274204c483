/**
 * The contract every StateStore backend must pass. Use it from a test file:
 *
 *   describeStateStoreContract("file", async () => { ...; return { store, cleanup, reopen } });
 *
 * Test-only: imports vitest. Never import it from production code.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  StateLockedError,
  emptyState,
  type HistoryEntry,
  type PendingCreate,
  type ResourceRecord,
  type StateChange,
  type StateStore,
} from "../../src/state/contract.js";

/** What a backend's factory returns: a fresh, empty store and how to dispose of it. */
export interface StateStoreFixture {
  store: StateStore;
  /** Closes and removes everything the fixture created. */
  cleanup: () => Promise<void>;
  /** Optional: opens another store instance on the same state (persistence and cross-instance tests). */
  reopen?: () => Promise<StateStore>;
}

/** A resource record for tests. */
export function sampleRecord(name: string, over: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    address: `VirtualMachine/${name}`,
    kind: "VirtualMachine",
    provider: "pve",
    externalId: `pve1/${100 + name.length}`,
    appliedSpec: { cpu: 2, memory: 2048, disks: [{ size: "10G" }], tags: ["a", "b"] },
    protect: false,
    appliedAt: "2024-05-01T10:00:00.000Z",
    origin: "created",
    ...over,
  };
}

/** A pending create for tests. */
export function samplePending(name: string): PendingCreate {
  return {
    address: `VirtualMachine/${name}`,
    kind: "VirtualMachine",
    provider: "pve",
    marker: `vmsync:test/VirtualMachine/${name}`,
    externalName: name,
    startedAt: "2024-05-01T10:00:00.000Z",
    runId: "run-1",
  };
}

/** A history entry for tests. */
export function sampleHistory(id: string, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    command: "vmsync apply",
    user: "alice",
    host: "ci-1",
    startedAt: "2024-05-01T10:00:00.000Z",
    finishedAt: "2024-05-01T10:01:00.000Z",
    result: "succeeded",
    summary: { create: 1, update: 0, replace: 0, delete: 0 },
    steps: [{ address: "VirtualMachine/web-1", action: "create", result: "succeeded" }],
    ...over,
  };
}

const me = () => ({ host: hostname(), pid: process.pid, user: "tester", command: "vmsync apply" });

/** The pid of a process that has exited (spawned and awaited), for stale-lock tests. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise<void>((res, rej) => {
    child.once("error", rej);
    child.once("exit", () => res());
  });
  if (child.pid === undefined) throw new Error("could not spawn a process");
  return child.pid;
}

/** Registers the StateStore contract tests for one backend under `describe(name)`. */
export function describeStateStoreContract(name: string, makeStore: () => Promise<StateStoreFixture>): void {
  describe(`StateStore contract: ${name}`, () => {
    let fx: StateStoreFixture;
    let store: StateStore;
    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it("has a location and reads an empty state before any commit", async () => {
      expect(typeof store.location).toBe("string");
      expect(store.location.length).toBeGreaterThan(0);
      expect(await store.read()).toEqual(emptyState());
      expect(await store.history()).toEqual([]);
      expect(await store.forceUnlock()).toBeUndefined();
    });

    it("commits batches atomically and bumps the serial once per batch", async () => {
      const s1 = await store.commit([{ type: "putResource", record: sampleRecord("a") }]);
      expect(s1).toBe(1);
      const s2 = await store.commit([
        { type: "putResource", record: sampleRecord("b") },
        { type: "putResource", record: sampleRecord("c", { protect: true, origin: "imported" }) },
        { type: "removeResource", address: "VirtualMachine/a" },
      ]);
      expect(s2).toBe(2);
      const snap = await store.read();
      expect(snap.serial).toBe(2);
      expect(snap.formatVersion).toBe(1);
      expect(Object.keys(snap.resources).sort()).toEqual(["VirtualMachine/b", "VirtualMachine/c"]);
      expect(snap.resources["VirtualMachine/c"]).toEqual(sampleRecord("c", { protect: true, origin: "imported" }));
    });

    it("applies a batch in order, and a put replaces the record", async () => {
      await store.commit([
        { type: "putResource", record: sampleRecord("a") },
        { type: "removeResource", address: "VirtualMachine/a" },
        { type: "putResource", record: sampleRecord("b", { externalId: "old" }) },
        { type: "putResource", record: sampleRecord("b", { externalId: "new" }) },
      ]);
      const snap = await store.read();
      expect(snap.resources["VirtualMachine/a"]).toBeUndefined();
      expect(snap.resources["VirtualMachine/b"]?.externalId).toBe("new");
    });

    it("treats removing an unknown address as a no-op and an empty batch as nothing", async () => {
      await store.commit([{ type: "putResource", record: sampleRecord("a") }]);
      expect(await store.commit([])).toBe(1);
      expect(await store.commit([{ type: "removeResource", address: "VirtualMachine/nope" }])).toBe(2);
      expect(Object.keys((await store.read()).resources)).toEqual(["VirtualMachine/a"]);
    });

    it("rejects an invalid batch as a whole and leaves the state untouched", async () => {
      await store.commit([{ type: "putResource", record: sampleRecord("a") }]);
      const bad: StateChange[] = [
        { type: "removeResource", address: "VirtualMachine/a" },
        { type: "bogus" } as unknown as StateChange,
      ];
      await expect(store.commit(bad)).rejects.toThrow();
      const snap = await store.read();
      expect(snap.serial).toBe(1);
      expect(snap.resources["VirtualMachine/a"]).toBeDefined();
    });

    it("keeps stored state isolated from caller mutation", async () => {
      const rec = sampleRecord("a");
      await store.commit([{ type: "putResource", record: rec }]);
      rec.externalId = "mutated";
      (rec.appliedSpec as { cpu: number }).cpu = 99;
      const snap = await store.read();
      snap.resources["VirtualMachine/a"]!.protect = true;
      const again = await store.read();
      expect(again.resources["VirtualMachine/a"]).toEqual(sampleRecord("a"));
    });

    it("runs the pending-create lifecycle", async () => {
      await store.commit([{ type: "putPending", pending: samplePending("web-1") }]);
      let snap = await store.read();
      expect(snap.pending["VirtualMachine/web-1"]).toEqual(samplePending("web-1"));
      // the create finished: record the resource and drop the breadcrumb in one batch
      await store.commit([
        { type: "putResource", record: sampleRecord("web-1") },
        { type: "clearPending", address: "VirtualMachine/web-1" },
      ]);
      snap = await store.read();
      expect(snap.pending).toEqual({});
      expect(snap.resources["VirtualMachine/web-1"]).toEqual(sampleRecord("web-1"));
      expect(snap.serial).toBe(2);
    });

    it("serialises concurrent commits without losing updates", async () => {
      const n = 25;
      const serials = await Promise.all(
        Array.from({ length: n }, (_, i) => store.commit([{ type: "putResource", record: sampleRecord(`vm-${i}`) }])),
      );
      expect([...serials].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const snap = await store.read();
      expect(snap.serial).toBe(n);
      expect(Object.keys(snap.resources)).toHaveLength(n);
    });

    it("returns history newest first, honouring the limit", async () => {
      await store.appendHistory(sampleHistory("h1"));
      await store.appendHistory(sampleHistory("h2", { result: "failed", revision: "abc123", steps: [
        { address: "VirtualMachine/x", action: "delete", result: "failed", error: "boom \"quoted\"\nnext line" },
      ] }));
      await store.appendHistory(sampleHistory("h3", { result: "partial" }));
      const all = await store.history();
      expect(all.map((h) => h.id)).toEqual(["h3", "h2", "h1"]);
      expect(all[1]).toEqual(sampleHistory("h2", { result: "failed", revision: "abc123", steps: [
        { address: "VirtualMachine/x", action: "delete", result: "failed", error: "boom \"quoted\"\nnext line" },
      ] }));
      expect((await store.history(2)).map((h) => h.id)).toEqual(["h3", "h2"]);
      expect(await store.history(0)).toEqual([]);
      expect((await store.history(10)).length).toBe(3);
    });

    it("locks, refuses a second locker naming the holder, and unlocks", async () => {
      const h = await store.lock(me());
      expect(h.info).toMatchObject(me());
      expect(h.info.id).toMatch(/\S/);
      expect(Number.isNaN(Date.parse(h.info.acquiredAt))).toBe(false);
      const err = await store.lock({ ...me(), user: "bob", command: "vmsync plan" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateLockedError);
      const locked = err as StateLockedError;
      expect(locked.code).toBe("STATE_LOCKED");
      expect(locked.holder).toEqual(h.info);
      expect(locked.location).toBe(store.location);
      expect(locked.message).toContain("tester@");
      expect(locked.message).toContain(String(process.pid));
      await h.release();
      await h.release(); // idempotent
      const h2 = await store.lock(me());
      expect(h2.info.id).not.toBe(h.info.id);
      await h2.release();
    });

    it("does not let a stale handle release a newer holder's lock", async () => {
      const h1 = await store.lock(me());
      expect(await store.forceUnlock()).toEqual(h1.info);
      const h2 = await store.lock({ ...me(), user: "second" });
      await h1.release();
      await expect(store.lock(me())).rejects.toBeInstanceOf(StateLockedError);
      await h2.release();
      expect(await store.forceUnlock()).toBeUndefined();
    });

    it("force-unlocks and returns the previous holder", async () => {
      const h = await store.lock(me());
      expect(await store.forceUnlock()).toEqual(h.info);
      expect(await store.forceUnlock()).toBeUndefined();
      const h2 = await store.lock(me());
      await h2.release();
    });

    it("reclaims a lock whose holder on this host is dead, but never one from another host", async () => {
      const pid = await deadPid();
      const stale = await store.lock({ ...me(), pid, user: "ghost" });
      const h = await store.lock(me());
      expect(h.info.id).not.toBe(stale.info.id);
      await h.release();

      const remote = await store.lock({ ...me(), host: `elsewhere-${pid}.invalid`, pid, user: "remote" });
      const err = await store.lock(me()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateLockedError);
      expect((err as StateLockedError).holder).toEqual(remote.info);
      expect(await store.forceUnlock()).toEqual(remote.info);
    });

    it("persists state, history and the lock across store instances", async (ctx) => {
      if (!fx.reopen) return ctx.skip();
      await store.commit([{ type: "putResource", record: sampleRecord("a") }]);
      await store.appendHistory(sampleHistory("h1"));
      const h = await store.lock(me());
      const other = await fx.reopen();
      try {
        expect(await other.read()).toEqual(await store.read());
        expect((await other.history()).map((e) => e.id)).toEqual(["h1"]);
        const err = await other.lock(me()).catch((e: unknown) => e);
        expect((err as StateLockedError).holder).toEqual(h.info);
        expect(await other.commit([{ type: "removeResource", address: "VirtualMachine/a" }])).toBe(2);
        expect((await store.read()).resources).toEqual({});
      } finally {
        await h.release();
        await other.close();
      }
    });
  });
}
