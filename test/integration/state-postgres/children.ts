/**
 * Real child processes for the PostgreSQL tests: the backend compiled with tsc into a temp folder
 * (plain `node` children import it; `node_modules` is linked beside it so `pg` resolves), and a
 * child speaking JSON lines (see pg-child.mjs). No shell anywhere.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../../..");

/** One line a child printed. */
export interface ChildMsg {
  pid: number;
  name: string;
  event: string;
  [key: string]: unknown;
}

function run(args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    p.once("error", rej);
    p.once("exit", (code) => (code === 0 ? res() : rej(new Error(`tsc failed (${code}):\n${out}`))));
  });
}

/** Compiles src/state/postgres/open.ts (and what it imports); returns the module path and a cleanup. */
export async function compileBackend(): Promise<{ modulePath: string; cleanup: () => Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), "vmsync-pg-build-"));
  await run([
    join(repo, "node_modules/typescript/bin/tsc"),
    "--ignoreConfig", "--outDir", outDir, "--rootDir", join(repo, "src"),
    "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
    "--types", "node", "--skipLibCheck", "--strict", "--esModuleInterop",
    join(repo, "src/state/postgres/open.ts"),
  ]);
  await writeFile(join(outDir, "package.json"), '{ "type": "module" }\n');
  await symlink(join(repo, "node_modules"), join(outDir, "node_modules"));
  return { modulePath: join(outDir, "state/postgres/open.js"), cleanup: () => rm(outDir, { recursive: true, force: true }) };
}

/** A child process running pg-child.mjs, collecting its JSON lines. */
export class PgChild {
  readonly proc: ChildProcess;
  readonly messages: ChildMsg[] = [];
  readonly exited: Promise<number | null>;
  stderr = "";
  #waiters: Array<() => void> = [];

  constructor(modulePath: string, url: string, stack: string, name: string, mode: string, ...extra: string[]) {
    this.proc = spawn(process.execPath, [join(here, "pg-child.mjs"), modulePath, stack, name, mode, ...extra], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, VMSYNC_TEST_PG_URL: url },
    });
    this.proc.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      this.messages.push(JSON.parse(line) as ChildMsg);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.exited = new Promise((res) => this.proc.once("close", (code) => res(code)));
  }

  /** The first message with one of `events` (after skipping `skip` of them), waiting up to `timeoutMs`. */
  async next(events: string[], timeoutMs = 15_000, skip = 0): Promise<ChildMsg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.filter((x) => events.includes(x.event))[skip];
      if (m) return m;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`child ${this.proc.pid} exited without ${events.join("/")}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`child ${this.proc.pid} sent no ${events.join("/")} within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  send(line: string): void {
    this.proc.stdin!.write(line + "\n");
  }

  /** Kills the child with SIGKILL (if still running) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    await this.exited;
  }
}
