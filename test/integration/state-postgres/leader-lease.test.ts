/**
 * PgLeaderLease: in one process (take, renew, release, expiry) and between real processes: when the
 * leader is killed another takes over within the bounded time, and leadership periods (as each
 * process itself saw them, by timestamps) never overlap — also when the leader is frozen (SIGSTOP)
 * past its lease and then resumes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PgLeaderLease } from "../../../src/state/postgres/leader-lease.js";
import { openPgLeaderLease, pgContext } from "../../../src/state/postgres/open.js";
import { PgTarget, resolvePgTarget } from "../../../src/state/postgres/url.js";
import { compileBackend, PgChild, type ChildMsg } from "./children.js";
import { dropStack, testPgUrl, uniqueName } from "./pg-env.js";

const TTL = 1_200;
const RENEW = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: string;
const opened: PgLeaderLease[] = [];
const open = async (user: string) => {
  const lease = await openPgLeaderLease(testPgUrl(), { stack, ttlMs: TTL, renewEveryMs: RENEW, holder: { user } });
  opened.push(lease);
  return lease;
};

beforeEach(() => {
  stack = uniqueName("leader");
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await dropStack(stack);
});

describe("PgLeaderLease in one process", () => {
  it("one leader at a time; release hands over without waiting for the expiry", async () => {
    const a = await open("a");
    const b = await open("b");
    expect(await a.acquire()).toBe(true);
    expect(a.isLeader()).toBe(true);
    expect(a.term).toBe(1);
    expect(await b.acquire()).toBe(false);
    expect(b.isLeader()).toBe(false);
    expect(b.describe()).toContain("held by a@");
    expect(await a.renew()).toBe(true);
    await sleep(TTL + RENEW); // a's loop keeps renewing: b never gets in
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    const released = Date.now();
    await a.release();
    expect(a.isLeader()).toBe(false);
    expect(await a.renew()).toBe(false);
    while (!b.isLeader()) {
      expect(Date.now() - released).toBeLessThan(RENEW + 2_000);
      await sleep(10);
    }
    expect(b.term).toBe(2);
    expect(b.describe()).toContain("leader (term 2)");
  });

  it("a lease that is not renewed expires and another takes it, only after the old holder stopped calling itself leader", async () => {
    const ctx = pgContext(await resolvePgTarget(testPgUrl()), { stack, maxConnections: 2 });
    const a = new PgLeaderLease(ctx, { ttlMs: TTL, renewEveryMs: RENEW });
    const b = await open("b");
    expect(await a.acquire()).toBe(true);
    const aUntil = a.leaderUntil!;
    await ctx.pool.end(); // a's database connection is gone: it cannot renew (as if its host were cut off)
    expect(await b.acquire()).toBe(false);
    while (!(await b.acquire())) await sleep(20);
    const tookAt = Date.now();
    expect(tookAt).toBeGreaterThanOrEqual(aUntil);
    expect(tookAt - aUntil).toBeLessThan(5_000); // liveness bound, generous for a loaded machine; the safety bound is the line above
    expect(a.isLeader()).toBe(false);
    expect(b.term).toBe(2);
    await a.release(); // idempotent, and harmless without a connection
  });

  it("rejects a renewal interval that leaves no room to renew", () => {
    const ctx = pgContext(new PgTarget("postgres://x@127.0.0.1/x", "postgres://x@127.0.0.1/x"));
    expect(() => new PgLeaderLease(ctx, { ttlMs: 1_000, renewEveryMs: 600 })).toThrow(RangeError);
    void ctx.pool.end();
  });
});

let build: Awaited<ReturnType<typeof compileBackend>>;
let children: PgChild[] = [];
beforeAll(async () => {
  testPgUrl();
  build = await compileBackend();
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await build?.cleanup();
});

const child = (name: string) => {
  const c = new PgChild(build.modulePath, testPgUrl(), stack, name, "leader", String(TTL), String(RENEW));
  children.push(c);
  return c;
};

/** Leadership periods per (child, term): from the first moment it saw itself leader to the last deadline it reported. */
function tenures(all: PgChild[]): Array<{ name: string; term: number; from: number; until: number }> {
  const map = new Map<string, { name: string; term: number; from: number; until: number }>();
  for (const m of all.flatMap((c) => c.messages).filter((x: ChildMsg) => x.event === "lease")) {
    const key = `${m.name}/${m.term}`;
    const t = map.get(key) ?? { name: m.name, term: m.term as number, from: m.at as number, until: m.until as number };
    t.from = Math.min(t.from, m.at as number);
    t.until = Math.max(t.until, m.until as number);
    map.set(key, t);
  }
  return [...map.values()].sort((x, y) => x.from - y.from);
}

function expectNoOverlap(all: PgChild[]): void {
  const ts = tenures(all);
  for (let i = 1; i < ts.length; i++) {
    expect(ts[i]!.from, `${JSON.stringify(ts[i])} began before ${JSON.stringify(ts[i - 1])} ended`).toBeGreaterThanOrEqual(ts[i - 1]!.until);
  }
}

/** Waits for the first child of `cs` to report leadership; returns it. */
async function firstLeader(cs: PgChild[]): Promise<PgChild> {
  return Promise.any(cs.map(async (c) => (await c.next(["lease"], 10_000), c)));
}

describe("PgLeaderLease between processes", () => {
  it("kill the leader: the other leads within ttl + renew interval, never both at once", async () => {
    children = [child("first"), child("second")];
    const leader = await firstLeader(children);
    const other = children.find((c) => c !== leader)!;
    await sleep(3 * RENEW); // both running: the other stays follower
    expect(other.messages.some((m) => m.event === "lease")).toBe(false);
    const killedAt = Date.now();
    await leader.kill();
    const took = await other.next(["lease"], 10_000);
    expect(took.at as number).toBeLessThanOrEqual(killedAt + TTL + RENEW + 1_500);
    expectNoOverlap(children);
  });

  it("a frozen leader (SIGSTOP) is replaced, and on resuming knows it no longer leads", async () => {
    children = [child("frozen"), child("standby")];
    const leader = await firstLeader(children);
    const other = children.find((c) => c !== leader)!;
    leader.proc.kill("SIGSTOP");
    try {
      await other.next(["lease"], 10_000);
      await sleep(2 * RENEW);
    } finally {
      leader.proc.kill("SIGCONT");
    }
    const lost = await leader.next(["state"], 5_000, 1); // states: [leader true, leader false]
    expect(lost.leader).toBe(false);
    await sleep(3 * RENEW);
    expectNoOverlap(children);
    // the standby keeps leading; the resumed one has not led again
    const ts = tenures(children);
    expect(ts[ts.length - 1]!.name).toBe(other.messages[0]!.name);
  });
});
