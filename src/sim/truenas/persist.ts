/**
 * Persistence of the world to `<dir>/truenas-world.json`: loaded once at start, written atomically
 * (temp file, fsync, rename; mode 0600) and coalesced — many changes in a burst cause one write.
 */
import { open, readFile, rename, chmod } from "node:fs/promises";
import { join } from "node:path";

/** The file name inside the simulator's directory. */
export const WORLD_FILE = "truenas-world.json";

/** Reads and parses the world file; null when it does not exist. */
export async function loadWorldFile(dir: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(join(dir, WORLD_FILE), "utf8")) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * Coalescing writer: `markDirty()` schedules a write after `delayMs` (or ten times the last
 * serialisation's time, whichever is longer: serialising a large world blocks the event loop, so
 * writes are spaced out in proportion to their cost, as in the other simulators); changes made
 * while a write runs cause exactly one more. `flush()` resolves once everything marked so far is on disk.
 */
export class WorldWriter {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private seq = 0;
  private closed = false;
  private lastSerialiseMs = 0;
  /** The last write failure (writes are retried on the next change); null when healthy. */
  lastError: unknown = null;

  constructor(
    private readonly dir: string,
    private readonly serialize: () => string,
    private readonly delayMs = 20,
  ) {}

  /** Notes a change; a write follows shortly. */
  markDirty(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.timer && !this.writing) this.timer = setTimeout(() => void this.run(), Math.max(this.delayMs, this.lastSerialiseMs * 10));
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.writing) return;
    while (this.dirty) {
      this.dirty = false;
      const started = performance.now();
      const data = this.serialize();
      this.lastSerialiseMs = performance.now() - started;
      this.writing = this.write(data);
      try {
        await this.writing;
        this.lastError = null;
      } catch (e) {
        this.lastError = e;
      } finally {
        this.writing = null;
      }
    }
  }

  private async write(data: string): Promise<void> {
    const target = join(this.dir, WORLD_FILE);
    const tmp = `${target}.${process.pid}.${++this.seq}.tmp`;
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(data, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, target);
  }

  /** Writes any pending change now and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing.catch(() => {});
    if (this.dirty) await this.run();
  }

  /** Flushes, then ignores further changes (the simulator is closing). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
