import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { form, startHarness } from "./helpers.js";

// A directory where the world file should be makes every write's rename fail (EISDIR), even as root.
describe("proxmox sim: a world write that fails", () => {
  afterEach(() => vi.restoreAllMocks());

  it("warns once per failed write, never fails a request or a flush, and writes again once the path is free", async () => {
    const warnings: string[] = [];
    vi.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => void warnings.push(String(w)));
    const dir = await mkdtemp(join(tmpdir(), "pve-sim-"));
    const file = join(dir, "proxmox-world.json");
    await mkdir(join(file, "blocker"), { recursive: true });
    const x = await startHarness({}, dir);
    try {
      expect(warnings).toHaveLength(1); // the write at start
      expect(warnings[0]).toMatch(/^proxmox sim: cannot persist world: Error: EISDIR/);
      expect((await x.api.post("/storage", form({ storage: "nas", type: "nfs", server: "10.0.0.9", export: "/srv" }))).status).toBe(200);
      expect((await x.api.post(`${x.sim.endpoint}/_sim/flush`)).status).toBe(200);
      expect(warnings).toHaveLength(2);
      expect((await x.api.get(`${x.sim.endpoint}/_sim/stats`)).data.worldWrites).toBe(0);
      expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);

      await rm(file, { recursive: true });
      expect((await x.api.post("/storage", form({ storage: "nas2", type: "nfs", server: "10.0.0.9", export: "/srv2" }))).status).toBe(200);
      expect((await x.api.post(`${x.sim.endpoint}/_sim/flush`)).status).toBe(200);
      expect(warnings).toHaveLength(2);
      expect((await x.api.get(`${x.sim.endpoint}/_sim/stats`)).data.worldWrites).toBe(1);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(Object.keys(JSON.parse(await readFile(file, "utf8")).storages)).toEqual(expect.arrayContaining(["nas", "nas2"]));
    } finally {
      await x.stop();
    }
  });
});
