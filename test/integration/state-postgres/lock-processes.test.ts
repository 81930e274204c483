/**
 * The PostgreSQL apply lock between real processes: exactly one of several concurrent lockers wins
 * and the others are told who holds it; a holder killed with SIGKILL frees the lock (its session
 * ends); forceUnlock ends a live holder's session and names it.
 */
import { hostname } from "node:os";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StateLockedError, type LockInfo } from "../../../src/state/contract.js";
import { openPgStateStore } from "../../../src/state/postgres/open.js";
import type { PgStateStore } from "../../../src/state/postgres/store.js";
import { compileBackend, PgChild } from "./children.js";
import { adminQuery, dropStack, testPgUrl, uniqueName } from "./pg-env.js";

let build: Awaited<ReturnType<typeof compileBackend>>;
let stack: string;
let children: PgChild[];
let store: PgStateStore;
const me = { host: hostname(), pid: process.pid, user: "parent", command: "vmsync apply" };

beforeAll(async () => {
  testPgUrl();
  build = await compileBackend();
});
afterAll(async () => {
  await build?.cleanup();
});
beforeEach(async () => {
  stack = uniqueName("locks");
  children = [];
  store = await openPgStateStore(testPgUrl(), { stack });
});
afterEach(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await store.close();
  await dropStack(stack);
});

const child = (name: string, mode: "race" | "hold") => {
  const c = new PgChild(build.modulePath, testPgUrl(), stack, name, mode);
  children.push(c);
  return c;
};

/** Starts `racers` at the same instant; checks exactly one wins and every other names the winner. */
async function race(racers: PgChild[]): Promise<PgChild> {
  await Promise.all(racers.map((c) => c.next(["ready"])));
  const at = Date.now() + 200;
  for (const c of racers) c.send(`go ${at}`);
  const results = await Promise.all(racers.map((c) => c.next(["won", "lost"])));
  const winners = results.filter((m) => m.event === "won");
  expect(winners, JSON.stringify(results)).toHaveLength(1);
  const info = winners[0]!.info as LockInfo;
  for (const m of results.filter((r) => r.event === "lost")) {
    expect(m.errorName, String(m.message)).toBe("StateLockedError");
    expect(m.code).toBe("STATE_LOCKED");
    expect(m.holder).toEqual(info);
    expect(m.message).toContain(`${winners[0]!.name}@${hostname()} (pid ${winners[0]!.pid}`);
    expect(m.location).toBe(store.location);
  }
  expect(info.pid).toBe(winners[0]!.pid);
  return racers.find((c) => c.proc.pid === winners[0]!.pid)!;
}

describe("PostgreSQL apply lock across real processes", () => {
  it("two concurrent applies: exactly one gets the lock, the other StateLockedError naming the holder", async () => {
    for (let round = 0; round < 3; round++) {
      const a = child(`a${round}`, "race");
      const b = child(`b${round}`, "race");
      const winner = await race([a, b]);
      winner.send("release");
      await winner.next(["released"]);
      await Promise.all([a.exited, b.exited]);
      expect(await store.forceUnlock()).toBeUndefined(); // released: nothing held, no row left
    }
  });

  it("five processes race: still exactly one winner", async () => {
    const winner = await race(Array.from({ length: 5 }, (_, i) => child(`p${i}`, "race")));
    const rows = await adminQuery<{ info: LockInfo }>(`SELECT info FROM vmsync_locks WHERE stack = $1`, [stack]);
    expect(rows.map((r) => r.info.pid)).toEqual([winner.proc.pid]);
    winner.send("release");
    await winner.next(["released"]);
  });

  it("a holder killed with SIGKILL frees the lock: its session ends, no reclaim needed", async () => {
    const holder = child("victim", "hold");
    const won = await holder.next(["won", "lost"]);
    expect(won.event).toBe("won");
    const err = await store.lock(me).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect((err as StateLockedError).holder).toEqual(won.info);
    const [row] = await adminQuery<{ backend_pid: number }>(`SELECT backend_pid FROM vmsync_locks WHERE stack = $1`, [stack]);
    await holder.kill();
    // nobody reclaims anything: the server ends the dead client's session and with it the lock
    const deadline = Date.now() + 5_000;
    while ((await adminQuery(`SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'advisory'`, [row!.backend_pid])).length > 0) {
      expect(Date.now(), "the killed holder's advisory lock was not released").toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 25));
    }
    const h = await store.lock(me);
    expect(h.info.user).toBe("parent");
    await h.release();
  });

  it("forceUnlock (vmsync state unlock) ends a live holder's session and returns the holder", async () => {
    const holder = child("stuck", "hold");
    const won = await holder.next(["won", "lost"]);
    expect(await store.forceUnlock()).toEqual(won.info);
    const h = await store.lock(me);
    expect(h.info.user).toBe("parent");
    expect(await store.forceUnlock()).toEqual(h.info);
    await h.release();
    expect(holder.proc.exitCode === null).toBe(true); // the process lives on; only its lock session ended
  });
});
