import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WorldWriter } from "../world-writer.js";
import type { WorldSnapshot } from "./world.js";

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
 * The writer of `<dir>/azure-world.json` (see `WorldWriter`). A failed write makes `flush()` — and
 * so the simulator's `close()` — reject with that error until a later write succeeds, so a caller
 * that stops the simulator learns that the file misses changes. The folder is made again before
 * every write, should it have been removed while the simulator runs.
 */
export function createWorldWriter(dir: string, snapshot: () => WorldSnapshot, delayMs = 25): WorldWriter {
  return new WorldWriter({ file: join(dir, WORLD_FILE), serialize: () => JSON.stringify(snapshot()), delayMs, rejectFlush: true, makeDir: true });
}
