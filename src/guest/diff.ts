import type { CanonicalSpec, FieldChange } from "../providers/contract.js";
import { deepEqual, diffSpecs } from "../providers/diff-util.js";
import { asGuest, isManagedMount, type GuestMountSpec } from "./canonical.js";

const SSH_NOTE = "how vmsync reaches the guest; nothing changes inside it";

/**
 * The changes between a desired and an observed guest. Unlike the providers' diffs, mounts are
 * compared in both directions: a mount in vmsync's block that the manifest no longer lists is a
 * change (it is unmounted and its line removed). A mount point already used outside vmsync's block
 * cannot be taken over: that change is `unsupported` and blocks the step, naming the line.
 * Everything else is in place.
 */
export function diffGuest(desiredSpec: CanonicalSpec, observedSpec: CanonicalSpec): FieldChange[] {
  const d = asGuest(desiredSpec);
  const o = asGuest(observedSpec);
  const out: FieldChange[] = diffSpecs({ ssh: d.ssh }, { ssh: o.ssh ?? {} }, () => ({ effect: "in-place", note: SSH_NOTE }));
  const paths = [...new Set([...Object.keys(d.mounts ?? {}), ...Object.keys(o.mounts ?? {})])].sort();
  for (const path of paths) {
    const want = d.mounts?.[path] as GuestMountSpec | undefined;
    const have = o.mounts?.[path];
    const key = `mounts.${path}`;
    if (have && !isManagedMount(have)) {
      if (want) out.push({ path: key, before: have.unmanaged, after: want, effect: "unsupported", note: `${path} is already used outside vmsync's block (${have.unmanaged}); remove that or mount the share elsewhere` });
      continue;
    }
    if (!want) out.push({ path: key, before: have ?? null, after: null, effect: "in-place", note: "unmounted, and its fstab line removed" });
    else if (!have) out.push({ path: key, before: null, after: want, effect: "in-place" });
    else for (const field of ["source", "fstype", "options", "mounted"] as const) {
      if (want[field] !== have[field]) out.push({ path: `${key}.${field}`, before: have[field], after: want[field], effect: "in-place" });
    }
  }
  if (!deepEqual(d.authorizedKeys ?? [], o.authorizedKeys ?? [])) out.push({ path: "authorizedKeys", before: o.authorizedKeys ?? [], after: d.authorizedKeys ?? [], effect: "in-place" });
  return out;
}

/** What an update must touch in the guest, from its changes: mount points (by path) and whether the keys. */
export function touchedBy(changes: FieldChange[], knownPaths: Iterable<string>): { mounts: Set<string>; keys: boolean } {
  const mounts = new Set<string>();
  const known = [...knownPaths];
  for (const c of changes) {
    if (c.path === "authorizedKeys") continue;
    if (!c.path.startsWith("mounts.")) continue;
    const rest = c.path.slice("mounts.".length);
    const path = known.filter((p) => rest === p || rest.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0];
    if (path) mounts.add(path);
  }
  return { mounts, keys: changes.some((c) => c.path === "authorizedKeys") };
}
