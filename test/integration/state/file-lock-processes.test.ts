import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StateLockedError, type LockInfo } from "../../../src/state/contract.js";
import { openFileStateStore } from "../../../src/state/file-store.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../../..");
const childScript = join(here, "lock-child.mjs");

interface Msg {
  pid: number;
  name: string;
  event: "ready" | "won" | "lost" | "released";
  info?: LockInfo;
  holder?: LockInfo;
  errorName?: string;
  code?: string;
  message?: string;
}

/** A child process speaking JSON lines. */
class Child {
  readonly proc: ChildProcess;
  readonly messages: Msg[] = [];
  readonly exited: Promise<number | null>;
  #waiters: Array<() => void> = [];
  stderr = "";

  constructor(modulePath: string, dir: string, name: string, mode: "race" | "hold") {
    this.proc = spawn(process.execPath, [childScript, modulePath, dir, name, mode], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      this.messages.push(JSON.parse(line) as Msg);
      for (const w of this.#waiters.splice(0)) w();
    });
    // "close", not "exit": it fires only after stdout has been read to the end
    this.exited = new Promise((res) => this.proc.once("close", (code) => res(code)));
  }

  /** The first message with one of `events`, waiting for it. */
  async next(...events: Msg["event"][]): Promise<Msg> {
    for (;;) {
      const m = this.messages.find((x) => events.includes(x.event));
      if (m) return m;
      const exited = await Promise.race([new Promise<false>((r) => this.#waiters.push(() => r(false))), this.exited.then(() => true)]);
      if (exited && !this.messages.some((x) => events.includes(x.event))) {
        throw new Error(`child ${this.proc.pid} exited without ${events.join("/")}: ${this.stderr}`);
      }
    }
  }

  send(line: string): void {
    this.proc.stdin!.write(line + "\n");
  }
}

let outDir: string;
let modulePath: string;
let dir: string;
let children: Child[];

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    p.once("error", rej);
    p.once("exit", (code) => (code === 0 ? res() : rej(new Error(`${args.join(" ")} failed (${code}):\n${out}`))));
  });
}

beforeAll(async () => {
  // Compile just the state backend (and what it imports) so plain `node` children can import it.
  outDir = await mkdtemp(join(tmpdir(), "vmsync-state-build-"));
  await run(process.execPath, [
    join(repo, "node_modules/typescript/bin/tsc"),
    "--ignoreConfig", "--outDir", outDir, "--rootDir", join(repo, "src/state"),
    "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
    "--types", "node", "--skipLibCheck", "--strict",
    join(repo, "src/state/file-store.ts"),
  ]);
  await writeFile(join(outDir, "package.json"), '{ "type": "module" }\n');
  modulePath = join(outDir, "file-store.js");
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmsync-lockrace-"));
  children = [];
});
afterEach(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await rm(dir, { recursive: true, force: true });
});

const spawnChild = (name: string, mode: "race" | "hold") => {
  const c = new Child(modulePath, dir, name, mode);
  children.push(c);
  return c;
};

/** Starts `racers` at the same instant and checks exactly one wins and the others name it. */
async function race(racers: Child[]): Promise<Child> {
  await Promise.all(racers.map((c) => c.next("ready")));
  const at = Date.now() + 150;
  for (const c of racers) c.send(`go ${at}`);
  const results = await Promise.all(racers.map((c) => c.next("won", "lost")));
  const winners = results.filter((m) => m.event === "won");
  expect(winners, JSON.stringify(results)).toHaveLength(1);
  const winner = winners[0]!;
  for (const m of results.filter((r) => r.event === "lost")) {
    expect(m.errorName, m.message).toBe("StateLockedError");
    expect(m.code).toBe("STATE_LOCKED");
    expect(m.holder).toEqual(winner.info);
    expect(m.message).toContain(`${winner.name}@${hostname()} (pid ${winner.pid}`);
  }
  expect(winner.info!.pid).toBe(winner.pid);
  return racers.find((c) => c.proc.pid === winner.pid)!;
}

describe("file lock across real processes", () => {
  it("two processes race for the lock: exactly one wins, the other is told who holds it", async () => {
    for (let round = 0; round < 5; round++) {
      const a = spawnChild(`a${round}`, "race");
      const b = spawnChild(`b${round}`, "race");
      const winner = await race([a, b]);
      winner.send("release");
      await winner.next("released");
      await Promise.all([a.exited, b.exited]);
    }
  });

  it("six processes race: still exactly one winner", async () => {
    const winner = await race(Array.from({ length: 6 }, (_, i) => spawnChild(`p${i}`, "race")));
    const onDisk = JSON.parse(await readFile(join(dir, ".vmsync/lock.json"), "utf8")) as LockInfo;
    expect(onDisk.pid).toBe(winner.proc.pid);
    winner.send("release");
    await winner.next("released");
  });

  it("a holder killed with SIGKILL leaves a lock the next locker reclaims", async () => {
    const holder = spawnChild("victim", "hold");
    const won = await holder.next("won", "lost");
    expect(won.event).toBe("won");
    const store = await openFileStateStore(dir);
    try {
      const me = { host: hostname(), pid: process.pid, user: "parent", command: "vmsync apply" };
      const err = await store.lock(me).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateLockedError); // alive: not reclaimed
      expect((err as StateLockedError).holder).toEqual(won.info);
      holder.proc.kill("SIGKILL");
      await holder.exited;
      // SIGKILL gives no chance to clean up: the dead holder's lock is still there
      expect(JSON.parse(await readFile(join(dir, ".vmsync/lock.json"), "utf8"))).toEqual(won.info);
      const h = await store.lock(me);
      expect(h.info.user).toBe("parent");
      await h.release();
    } finally {
      await store.close();
    }
  });

  it("several processes racing to reclaim a dead holder's lock: exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const holder = spawnChild(`victim${round}`, "hold");
      const won = await holder.next("won", "lost");
      expect(won.event).toBe("won");
      const racers = Array.from({ length: 6 }, (_, i) => spawnChild(`r${round}-${i}`, "race"));
      await Promise.all(racers.map((c) => c.next("ready")));
      holder.proc.kill("SIGKILL");
      await holder.exited;
      const winner = await race(racers);
      expect(winner.proc.pid).not.toBe(won.pid);
      winner.send("release");
      await winner.next("released");
      await Promise.all(racers.map((c) => c.exited));
    }
  });
});
