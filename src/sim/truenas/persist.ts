/**
 * Persistence of the world to `<dir>/truenas-world.json`: loaded once at start, written by a
 * `WorldWriter` (atomic, mode 0600, coalesced — many changes in a burst cause one write).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WorldWriter } from "../world-writer.js";

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
 * The writer of `<dir>/truenas-world.json`. A failed write is silent: it is only kept in the
 * writer's `lastError` (cleared by the next successful write) and never fails a call, flush or
 * close; the next change writes again.
 */
export function createWorldWriter(dir: string, serialize: () => string, delayMs = 20): WorldWriter {
  return new WorldWriter({ file: join(dir, WORLD_FILE), serialize, delayMs });
}
