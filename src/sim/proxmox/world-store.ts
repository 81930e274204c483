import { open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { WorldData } from "./world.js";

/** File name of the persisted world inside the simulator's `dir`. */
export const WORLD_FILE = "proxmox-world.json";

/** How many finished tasks are kept in the persisted archive. */
const TASK_ARCHIVE = 2000;

/**
 * Persists the world to `<dir>/proxmox-world.json`: atomic (temp file, fsync, rename), mode 0600, and
 * coalesced — `markDirty()` schedules one write `delayMs` later (or ten times the last
 * serialisation's time, whichever is longer, as the Azure simulator does: serialising a world of
 * thousands of VMs blocks the event loop, and writing it every 25 ms slowed every request more the
 * bigger the world grew) however many changes arrive, and a change during a write schedules exactly
 * one more. `flush()` writes now and waits for it.
 */
export class WorldStore {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private seq = 0;
  private lastSerialiseMs = 0;
  /** Number of completed writes (coalescing makes this far smaller than the number of changes). */
  writes = 0;

  constructor(
    private readonly dir: string,
    private readonly world: () => WorldData,
    private readonly delayMs = 25,
  ) {}

  /** Reads a previously persisted world, or undefined when there is none (or it is unreadable). */
  static async load(dir: string): Promise<WorldData | undefined> {
    try {
      const data = JSON.parse(await readFile(join(dir, WORLD_FILE), "utf8")) as WorldData;
      return data.version === 1 ? data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Notes that the world changed; a write follows within `delayMs`. */
  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, Math.max(this.delayMs, this.lastSerialiseMs * 10));
    this.timer.unref();
  }

  /** Writes pending changes (if any) and resolves when everything is on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writing) await this.writing;
    if (this.dirty) await this.writeNow();
  }

  private async writeNow(): Promise<void> {
    if (this.writing) return this.writing;
    this.dirty = false;
    const world = this.world();
    if (world.tasks.length > TASK_ARCHIVE) world.tasks.splice(0, world.tasks.length - TASK_ARCHIVE);
    const started = performance.now();
    const text = JSON.stringify(world);
    this.lastSerialiseMs = performance.now() - started;
    const target = join(this.dir, WORLD_FILE);
    const tmp = `${target}.${process.pid}.${++this.seq}.tmp`;
    this.writing = (async () => {
      try {
        const fh = await open(tmp, "w", 0o600);
        try {
          await fh.writeFile(text);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, target);
        this.writes++;
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        process.emitWarning(`proxmox sim: cannot persist world: ${String(err)}`);
      }
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
    if (this.dirty) this.markDirty();
  }
}
