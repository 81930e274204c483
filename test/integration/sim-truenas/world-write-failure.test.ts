import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sim } from "./setup.js";

// A directory where the world file should be makes every write's rename fail (EISDIR), even as root.
describe("truenas sim: a world write that fails", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is silent, never fails a call, flush or close, and writes again on the next change once the path is free", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const h = await sim("25.10.1");
    const file = join(h.dir, "truenas-world.json");
    try {
      await h.flush();
      await rm(file);
      await mkdir(join(file, "blocker"), { recursive: true });
      await h.admin("vm.create", [{ name: "lost", memory: 512 }]);
      await h.flush();
      await h.flush();
      expect((await stat(file)).isDirectory()).toBe(true);

      await rm(file, { recursive: true });
      await h.flush(); // nothing changed since the failure: no retry
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
      await h.admin("vm.create", [{ name: "kept", memory: 512 }]);
      await h.flush();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const names = JSON.stringify(JSON.parse(await readFile(file, "utf8")));
      expect(names).toContain('"lost"');
      expect(names).toContain('"kept"');

      await rm(file);
      await mkdir(join(file, "blocker"), { recursive: true });
      await h.admin("vm.create", [{ name: "atclose", memory: 512 }]);
      await h.close();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      await h.dispose();
    }
  });
});
