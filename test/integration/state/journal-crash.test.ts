import { spawn } from "node:child_process";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFileStateStore } from "../../../src/state/file-store.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../../..");
let outDir: string;

function run(args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.once("exit", (code) => (code === 0 ? res() : rej(new Error(`tsc failed (${code}):\n${out}`))));
  });
}

/** Runs the committing child until it acknowledged at least `acks` commits, then SIGKILLs it; returns what it acknowledged. */
async function commitThenKill(modulePath: string, dir: string, acks: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [join(here, "journal-child.mjs"), modulePath, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const acked = new Map<string, number>();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await new Promise<void>((res, rej) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [, serial, name] = line.split(" ");
      acked.set(name!, Number(serial));
      if (acked.size >= acks) res();
    });
    child.once("exit", (code) => (acked.size >= acks ? res() : rej(new Error(`child exited (${code}) early: ${stderr}`))));
  });
  child.kill("SIGKILL");
  await exited;
  return acked;
}

describe("file state journal: killed mid-commit", () => {
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "vmsync-journal-build-"));
    await run([
      join(repo, "node_modules/typescript/bin/tsc"), "--ignoreConfig", "--outDir", outDir, "--rootDir", join(repo, "src/state"),
      "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--skipLibCheck", "--strict",
      join(repo, "src/state/file-store.ts"),
    ]);
    await writeFile(join(outDir, "package.json"), '{ "type": "module" }\n');
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it("keeps every acknowledged commit, reads a whole state after each kill, and the next writer goes on cleanly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vmsync-journal-crash-"));
    const modulePath = join(outDir, "file-store.js");
    try {
      const acked = new Map<string, number>();
      for (let round = 1; round <= 3; round++) {
        for (const [k, v] of await commitThenKill(modulePath, dir, 40 * round)) acked.set(k, v);
        const store = await openFileStateStore(dir, { journalAboveBytes: 0 });
        const state = await store.read();
        expect(Object.keys(state.resources)).toHaveLength(state.serial); // one resource per batch: nothing half-applied
        for (const [name, serial] of acked) {
          expect(state.serial).toBeGreaterThanOrEqual(serial);
          expect(state.resources[`VirtualMachine/${name}`]?.externalId).toBe(`pve1/${name}`);
        }
        await store.close();
        // a crash can also tear the last line in two: the next writer must cut it off, not glue to it
        if (round === 2) await appendFile(join(dir, ".vmsync", "state.journal"), '0123456789abcdef {"serial":99999,"chan');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
