import { posix } from "node:path";
import { isManagedMount, type GuestCanonical, type GuestMountSpec } from "./canonical.js";
import { splitBlock, withBlock, type BlockOwner } from "./files/block.js";
import { nfsLine } from "./files/fstab.js";
import { foreignUse, isMountedFrom, readGuest, viewOf, type GuestView } from "./read.js";
import type { GuestShell } from "./shell.js";
import { GuestError, isGuestError } from "./ssh/errors.js";

/** What to bring in line: every mount point (`"all"`: create, delete) or the named ones, and the keys or not. */
export interface Touched {
  mounts: Set<string> | "all";
  keys: boolean;
}

/** Long enough for an NFS server that answers slowly; a hung mount still ends. */
const MOUNT_TIMEOUT_MS = 90_000;

/**
 * Makes the guest match `desired` for what `touched` names, idempotently and in an order that never
 * leaves a half-state behind a failure: first unmount what goes away or changes (an unmount that
 * fails — a busy path — stops everything before any file is written, with umount's own reason),
 * then write /etc/fstab once (atomically), then create mount points and mount, then rewrite the
 * authorized keys (atomically). Lines and keys outside vmsync's block are kept as they are.
 */
export async function converge(shell: GuestShell, owner: BlockOwner, desired: GuestCanonical, touched: Touched): Promise<void> {
  const read = await readGuest(shell);
  const view = viewOf(read, owner);
  const want = Object.fromEntries(Object.entries(desired.mounts).filter(([, m]) => isManagedMount(m))) as Record<string, GuestMountSpec>;
  const concerns = (path: string) => touched.mounts === "all" || touched.mounts.has(path);
  const managed = new Map(view.managed.map((e) => [e.target, e]));

  for (const path of Object.keys(want).filter(concerns)) {
    const foreign = foreignUse(view, path, shell.layout.fstab);
    if (foreign) throw new GuestError(`cannot mount ${want[path]!.source} at ${path} on ${shell.what}: it is already used outside vmsync's block (${foreign}); remove that, or mount the share elsewhere`, "GUEST_CONFLICT");
  }
  // 1. unmount what goes away or changes (only what vmsync mounted: the live source is its line's)
  for (const [path, line] of managed) {
    if (!concerns(path)) continue;
    const next = want[path];
    const live = view.live.get(path);
    const stays = next && next.source === line.source && next.options === line.options;
    if (!stays && isMountedFrom(live, line.source)) await unmount(shell, path);
  }
  // 2. /etc/fstab with vmsync's lines: the wanted ones for touched paths, the current ones for the others
  const lines = new Map<string, string>();
  for (const [path, e] of managed) if (!concerns(path)) lines.set(path, nfsLine({ source: e.source, target: e.target, options: e.options }));
  for (const [path, m] of Object.entries(want)) if (concerns(path)) lines.set(path, nfsLine({ source: m.source, target: path, options: m.options }));
  const split = splitBlock(read.fstab, owner);
  const fstab = withBlock(split, owner, [...lines.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, l]) => l));
  if (fstab !== read.fstab) await shell.writeAtomic(shell.layout.fstab, fstab, "644", true);
  // 3. mount points and mounts
  for (const [path, m] of Object.entries(want)) {
    if (!concerns(path)) continue;
    const live = view.live.get(path);
    const current = managed.get(path);
    const stillMounted = isMountedFrom(live, m.source) && current !== undefined && current.options === m.options;
    if (stillMounted) continue;
    await shell.run(["mkdir", "-p", path], { root: true });
    await shell.run(["mount", path], { root: true, timeoutMs: MOUNT_TIMEOUT_MS });
  }
  // 4. authorized keys
  if (touched.keys) await writeKeys(shell, owner, read.keys, desired.authorizedKeys);
}

/** Unmounts `path`, refusing (never forcing, never lazy) when it is busy. */
async function unmount(shell: GuestShell, path: string): Promise<void> {
  try {
    await shell.run(["umount", path], { root: true, timeoutMs: MOUNT_TIMEOUT_MS });
  } catch (err) {
    if (!isGuestError(err, "GUEST_COMMAND_FAILED")) throw err;
    throw new GuestError(`refusing to go on: ${path} on ${shell.what} cannot be unmounted — it is probably in use (a process has files open or its working directory there); nothing was changed. ${err.message}`, "GUEST_BUSY", err);
  }
}

/** Rewrites the authorized keys with vmsync's block holding `keys`; other keys stay. */
async function writeKeys(shell: GuestShell, owner: BlockOwner, current: string, keys: string[]): Promise<void> {
  const next = withBlock(splitBlock(current, owner), owner, keys);
  if (next === current) return;
  const dir = posix.dirname(shell.layout.authorizedKeys);
  if (dir !== ".") {
    await shell.run(["mkdir", "-p", dir]);
    await shell.run(["chmod", "700", dir]);
  }
  await shell.writeAtomic(shell.layout.authorizedKeys, next, "600");
}

/** Whether a guest view carries anything of `owner` (a block in either file). */
export function hasBlock(view: GuestView): boolean {
  return view.marked;
}
