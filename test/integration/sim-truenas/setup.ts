/** Starts a simulator in a fresh temp dir for a test file and cleans up after. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTruenasSim, type TruenasSimHandle, type TruenasSimOptions } from "../../../src/sim/truenas/index.js";

/** A temp directory removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "truenas-sim-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a simulator with fast jobs (10 ms) in a fresh dir. */
export async function sim(version: string, opts: Partial<TruenasSimOptions> = {}): Promise<TruenasSimHandle & { dir: string; dispose(): Promise<void> }> {
  const t = tempDir();
  const h = await startTruenasSim({ dir: t.dir, version, knobs: { taskDurationMs: 10 }, ...opts });
  return Object.assign(h, {
    dir: t.dir,
    dispose: async () => {
      await h.close();
      t.cleanup();
    },
  });
}
