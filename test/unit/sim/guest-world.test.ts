/**
 * The SSH simulator's guests (`ssh-world.json`) are written through the shared WorldWriter: a write
 * that fails is a warning, never a crash or a failed flush, and the next change writes again. (Its
 * own writer chained writes on one promise: after one failure every later write was skipped and
 * the rejection went unhandled.)
 */
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { GuestWorld } from "../../../src/sim/ssh/guest-world.js";
import type { SimGuest } from "../../../src/sim/ssh/directory.js";

afterEach(() => vi.restoreAllMocks());

const guest = (key: string): SimGuest => ({ key, names: [key], addresses: ["10.0.0.5"], running: true, bootId: "b1" });

it("a failed write warns, the flush still resolves, and the next change is written", async () => {
  const warnings: string[] = [];
  vi.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => void warnings.push(String(w)));
  const dir = await mkdtemp(join(tmpdir(), "ssh-sim-"));
  const file = join(dir, "ssh-world.json");
  try {
    await mkdir(join(file, "blocker"), { recursive: true }); // a folder where the file goes: every rename fails
    const world = await GuestWorld.load(dir);
    world.machine(guest("proxmox:101:a"), () => {});
    await world.flush();
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^ssh sim: cannot persist guests: Error: EISDIR/);

    await rm(file, { recursive: true });
    world.machine(guest("proxmox:102:b"), () => {});
    await world.flush();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(await readFile(file, "utf8")).guests).sort()).toEqual(["proxmox:101:a", "proxmox:102:b"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
