import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { startEnv, type AzureEnv } from "./helpers.js";

/**
 * A simulator whose world file, once first written, is a directory (so every later write fails in
 * its rename with EISDIR, even as root), and that has changed since.
 */
async function startBlocked(): Promise<{ env: AzureEnv; file: string }> {
  const env = await startEnv();
  const file = join(env.dir, "azure-world.json");
  for (let i = 0; !(await stat(file).then((s) => s.isFile(), () => false)); i++) {
    if (i === 400) throw new Error(`${file} was never written`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await rm(file);
  await mkdir(join(file, "blocker"), { recursive: true });
  await env.resources.resourceGroups.createOrUpdate("first", { location: "eastus" });
  return { env, file };
}

describe("azure sim: a world write that fails", () => {
  afterEach(() => vi.restoreAllMocks());

  test("close rejects with the failure of the last write", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const { env } = await startBlocked();
    try {
      await expect(env.sim.close()).rejects.toThrow(/EISDIR/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      await rm(env.dir, { recursive: true, force: true });
    }
  });

  test("a later successful write clears the failure; a removed folder is made again", async () => {
    const { env, file } = await startBlocked();
    try {
      await new Promise((r) => setTimeout(r, 150)); // the coalesced write runs (and fails) meanwhile
      await rm(env.dir, { recursive: true });
      await env.resources.resourceGroups.createOrUpdate("second", { location: "eastus" });
      await env.sim.close();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const text = await readFile(file, "utf8");
      expect(text).toContain("first");
      expect(text).toContain("second");
    } finally {
      await env.close();
    }
  });
});
