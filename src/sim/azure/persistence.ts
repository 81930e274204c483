import { mkdir, readFile, rename, writeFile, open } from "node:fs/promises";
import { join } from "node:path";
import type { WorldSnapshot } from "./world.js";

let writeCounter = 0;

/** The file name of the persisted world inside the simulator's directory. */
export const WORLD_FILE = "azure-world.json";

/** Reads `dir/azure-world.json`; `undefined` when absent. A corrupt or foreign file throws. */
export async function loadWorldFile(dir: string): Promise<WorldSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, WORLD_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const snap = JSON.parse(text) as WorldSnapshot;
  if (snap.version !== 1) throw new Error(`cannot load ${WORLD_FILE}: unsupported version ${String(snap.version)}`);
  return snap;
}

/**
 * Writes the world atomically (temp file, fsync, rename; mode 0600) and coalesces bursts: `schedule()`
 * marks the world dirty and at most one write runs at a time, at most once per `delayMs` (or ten
 * times the last serialisation time, whichever is longer, so a large world does not starve request
 * handling); changes made while a write runs are picked up by the next one. `flush()` writes now if dirty and waits.
 */
export class WorldWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: unknown;
  private lastWriteMs = 0;

  constructor(
    private readonly dir: string,
    private readonly snapshot: () => WorldSnapshot,
    private readonly delayMs = 25,
  ) {}

  /** Marks the world changed; a write follows within `delayMs`. */
  schedule(): void {
    this.dirty = true;
    if (this.timer || this.running) return;
    // Serialising a large world blocks the event loop; space writes out in proportion to their cost.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, Math.max(this.delayMs, this.lastWriteMs * 10));
  }

  /** Writes pending changes now and resolves when the file is on disk; rethrows a failed write. */
  async flush(): Promise<void> {
    while (this.running || this.dirty) {
      this.cancelTimer();
      if (this.running) await this.running;
      else await this.run();
    }
    this.cancelTimer();
    if (this.lastError) throw this.lastError;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): Promise<void> {
    if (this.running) return this.running;
    this.dirty = false;
    this.running = this.write()
      .catch((err: unknown) => {
        this.lastError = err;
      })
      .finally(() => {
        this.running = undefined;
        if (this.dirty) this.schedule();
      });
    return this.running;
  }

  private async write(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, WORLD_FILE);
    const tmp = `${target}.${process.pid}.${++writeCounter}.tmp`;
    const started = Date.now();
    const data = JSON.stringify(this.snapshot());
    this.lastWriteMs = Date.now() - started;
    await writeFile(tmp, data, { mode: 0o600 });
    const fh = await open(tmp, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    this.lastError = undefined;
  }
}
