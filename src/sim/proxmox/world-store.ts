import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WorldWriter } from "../world-writer.js";
import type { WorldData } from "./world.js";

/** File name of the persisted world inside the simulator's `dir`. */
export const WORLD_FILE = "proxmox-world.json";

/** How many finished tasks are kept in the persisted archive. */
const TASK_ARCHIVE = 2000;

/** Reads a previously persisted world, or undefined when there is none (or it is unreadable). */
export async function loadWorld(dir: string): Promise<WorldData | undefined> {
  try {
    const data = JSON.parse(await readFile(join(dir, WORLD_FILE), "utf8")) as WorldData;
    return data.version === 1 ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The writer of `<dir>/proxmox-world.json` (see `WorldWriter`), trimming the task archive to its
 * newest 2000 tasks as it writes. A failed write is a process warning, once per failure, and never
 * fails a request or a flush: the simulator keeps serving from memory, only a restart would lose
 * what the file misses. A pending write does not keep the process alive.
 */
export function createWorldStore(dir: string, world: () => WorldData, delayMs = 25): WorldWriter {
  return new WorldWriter({
    file: join(dir, WORLD_FILE),
    serialize: () => {
      const w = world();
      if (w.tasks.length > TASK_ARCHIVE) w.tasks.splice(0, w.tasks.length - TASK_ARCHIVE);
      return JSON.stringify(w);
    },
    delayMs,
    onError: (err) => process.emitWarning(`proxmox sim: cannot persist world: ${String(err)}`),
    unref: true,
  });
}
