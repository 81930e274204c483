// Child process of the PostgreSQL tests. Usage:
//   node pg-child.mjs <compiled open.js> <stack> <name> race|hold|leader [ttlMs renewEveryMs]
// The database URL comes from VMSYNC_TEST_PG_URL. Prints one JSON object per line on stdout; reads
// commands ("go <epochMs>", "release") on stdin.
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [modulePath, stack, name, mode, ttl, renew] = process.argv.slice(2);
const { openPgStateStore, openPgLeaderLease } = await import(pathToFileURL(modulePath).href);
const url = process.env.VMSYNC_TEST_PG_URL;
const say = (o) => process.stdout.write(JSON.stringify({ pid: process.pid, name, ...o }) + "\n");
const info = { host: hostname(), pid: process.pid, user: name, command: `vmsync apply (${name})` };

async function tryLock(store) {
  try {
    const handle = await store.lock(info);
    say({ event: "won", info: handle.info });
    return handle;
  } catch (err) {
    say({ event: "lost", errorName: err.name, code: err.code, holder: err.holder, message: err.message, location: err.location });
    return undefined;
  }
}

if (mode === "leader") {
  const lease = await openPgLeaderLease(url, { stack, ttlMs: Number(ttl), renewEveryMs: Number(renew), holder: { user: name } });
  let lastUntil;
  let wasLeader = false;
  const sample = () => {
    const leader = lease.isLeader();
    const until = lease.leaderUntil;
    if (leader !== wasLeader) say({ event: "state", leader, at: Date.now() });
    wasLeader = leader;
    if (leader && until !== lastUntil) say({ event: "lease", term: lease.term, at: Date.now(), until });
    lastUntil = until;
  };
  await lease.acquire();
  sample();
  setInterval(sample, 5);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "release") {
      await lease.close();
      sample();
      say({ event: "released" });
      process.exit(0);
    }
  }
  process.exit(0); // stdin closed: the parent is gone
} else {
  const store = await openPgStateStore(url, { stack });
  if (mode === "hold") {
    await tryLock(store);
    setInterval(() => {}, 60_000); // hold until killed
  } else {
    say({ event: "ready" });
    const rl = createInterface({ input: process.stdin });
    let handle;
    for await (const line of rl) {
      const [cmd, arg] = line.trim().split(" ");
      if (cmd === "go") {
        while (Date.now() < Number(arg)) {} // start together
        handle = await tryLock(store);
        if (!handle) break;
      } else if (cmd === "release") {
        await handle?.release();
        say({ event: "released" });
        break;
      }
    }
    rl.close();
    await store.close();
  }
}
