// Child process for the lock race tests. Usage: node lock-child.mjs <compiled file-store.js> <dir> <name> <race|hold>
// Prints one JSON object per line on stdout; reads commands ("go <epochMs>", "release") on stdin.
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [modulePath, dir, name, mode] = process.argv.slice(2);
const { openFileStateStore } = await import(pathToFileURL(modulePath).href);
const say = (o) => process.stdout.write(JSON.stringify({ pid: process.pid, name, ...o }) + "\n");
const store = await openFileStateStore(dir);
const info = { host: hostname(), pid: process.pid, user: name, command: `vmsync apply (${name})` };

async function tryLock() {
  try {
    const handle = await store.lock(info);
    say({ event: "won", info: handle.info });
    return handle;
  } catch (err) {
    say({ event: "lost", errorName: err.name, code: err.code, holder: err.holder, message: err.message });
    return undefined;
  }
}

if (mode === "hold") {
  await tryLock();
  setInterval(() => {}, 60_000); // hold until killed
} else {
  say({ event: "ready" });
  const rl = createInterface({ input: process.stdin });
  let handle;
  for await (const line of rl) {
    const [cmd, arg] = line.trim().split(" ");
    if (cmd === "go") {
      while (Date.now() < Number(arg)) {} // start together
      handle = await tryLock();
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
