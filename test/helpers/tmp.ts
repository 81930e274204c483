import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temporary folder with files written into it; `cleanup()` removes it. */
export interface TempTree {
  dir: string;
  path(rel: string): string;
  cleanup(): Promise<void>;
}

/** Creates a temporary folder holding `files` (relative path → content). */
export async function tempTree(files: Record<string, string> = {}): Promise<TempTree> {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-test-"));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return { dir, path: (rel) => join(dir, rel), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
