import type { GuestCanonical, GuestMountSpec, ForeignMount, GuestSshSpec } from "./canonical.js";
import { canonicalKeys } from "./files/authorized-keys.js";
import { splitBlock, type BlockOwner } from "./files/block.js";
import { FINDMNT_ARGS, isNfs, parseFindmnt, type LiveMount } from "./files/findmnt.js";
import { nfsLine, parseFstab, type FstabEntry } from "./files/fstab.js";
import type { GuestShell } from "./shell.js";

/** What one read of a guest returns: the two files and the live mount table. */
export interface GuestRead {
  fstab: string;
  keys: string;
  live: Map<string, LiveMount>;
}

/** Reads /etc/fstab, `findmnt` and the authorized_keys file: three commands, in parallel on one connection. */
export async function readGuest(shell: GuestShell): Promise<GuestRead> {
  const [fstab, mounts, keys] = await Promise.all([shell.read(shell.layout.fstab), shell.run([...FINDMNT_ARGS]), shell.read(shell.layout.authorizedKeys)]);
  return { fstab, keys, live: parseFindmnt(mounts) };
}

/** The guest's files split into vmsync's block and the rest. */
export interface GuestView {
  managed: FstabEntry[];
  others: FstabEntry[];
  live: Map<string, LiveMount>;
  keys: string[];
  /** True when either file has this owner's block: the guest carries vmsync's marker. */
  marked: boolean;
}

/** Splits a read into what vmsync's block holds and everything else. */
export function viewOf(read: GuestRead, owner: BlockOwner): GuestView {
  const f = splitBlock(read.fstab, owner);
  const k = splitBlock(read.keys, owner);
  return {
    managed: parseFstab(f.lines ?? []),
    others: parseFstab(f.others, f.lineNumbers),
    live: read.live,
    keys: canonicalKeys(k.lines ?? []),
    marked: f.lines !== undefined || k.lines !== undefined,
  };
}

/** True when the live mount at a target is the NFS export `source`. */
export function isMountedFrom(live: LiveMount | undefined, source: string): boolean {
  return live !== undefined && isNfs(live.fstype) && live.source === source;
}

/** Something other than vmsync's block that uses mount point `path`, described for people; undefined when free. */
export function foreignUse(view: GuestView, path: string, fstab: string): string | undefined {
  const line = view.others.find((e) => e.target === path);
  if (line) return `line ${line.line} of ${fstab}: ${nfsLine({ source: line.source, target: line.target, options: line.options }).replace(" nfs ", ` ${line.fstype} `)}`;
  const managed = view.managed.find((e) => e.target === path);
  const live = view.live.get(path);
  if (live && (!managed || live.source !== managed.source)) return `${live.source} (${live.fstype}) is mounted there and not in vmsync's fstab lines`;
  return undefined;
}

/**
 * The observed canonical spec: vmsync's fstab lines (mounted or not, by `findmnt`), its keys, and
 * for each mount point the manifest wants that something else already uses, what uses it. `ssh` is
 * given by the caller (the settings as last applied: it is not read from the guest).
 */
export function observedSpec(view: GuestView, input: { vm: string; ssh: GuestSshSpec; wanted: string[]; fstab: string }): GuestCanonical {
  const mounts: Record<string, GuestMountSpec | ForeignMount> = {};
  for (const e of view.managed) mounts[e.target] = { source: e.source, fstype: "nfs", options: e.options, mounted: isMountedFrom(view.live.get(e.target), e.source) };
  for (const path of input.wanted) {
    const foreign = foreignUse(view, path, input.fstab);
    if (foreign) mounts[path] = { unmanaged: foreign };
  }
  return { vm: input.vm, ssh: input.ssh, mounts: Object.fromEntries(Object.entries(mounts).sort(([a], [b]) => a.localeCompare(b))), authorizedKeys: view.keys };
}
