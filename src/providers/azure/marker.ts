import type { OwnershipMarker } from "../contract.js";

/**
 * The ownership marker on Azure objects. Taggable resources (VMs, NICs, public IPs, storage accounts,
 * resource groups, snapshots) carry two tags, `vmsync-stack: <stack>` and `vmsync-address:
 * <Kind/name>`. File shares take no tags, so they carry the same pair as share metadata, whose keys
 * must be identifiers: `vmsync_stack` and `vmsync_address`. Other vmsync tags:
 * - `vmsync-cloudinit`: hash of the cloud-init inputs sent as custom data (Azure never returns it);
 * - `vmsync-snapshot-of`, `vmsync-schedule`, `vmsync-taken`: on snapshots vmsync takes.
 * Manifest `tags` become tag keys with an empty value (`{"web": ""}`); every tag without a value
 * that is not a vmsync key is read back as a manifest tag, and tags with values that vmsync does not
 * own are left alone.
 */
export const TAG = {
  stack: "vmsync-stack",
  address: "vmsync-address",
  cloudInit: "vmsync-cloudinit",
  snapshotOf: "vmsync-snapshot-of",
  schedule: "vmsync-schedule",
  taken: "vmsync-taken",
} as const;

/** Share metadata keys of the marker (metadata names must be identifiers). */
export const META = { stack: "vmsync_stack", address: "vmsync_address" } as const;

/** Tag map type as the SDKs use it. */
export type Tags = Record<string, string>;

/** The marker tags for `marker`. */
export function markerTags(marker: OwnershipMarker): Tags {
  return { [TAG.stack]: marker.stack, [TAG.address]: marker.address };
}

/** The marker read from tags (or share metadata), when both keys are there. */
export function markerOf(tags: Tags | undefined): OwnershipMarker | undefined {
  if (!tags) return undefined;
  const stack = tags[TAG.stack] ?? tags[META.stack];
  const address = tags[TAG.address] ?? tags[META.address];
  return stack !== undefined && address !== undefined ? { stack, address } : undefined;
}

/** True when the tags carry exactly this stack's marker for `address`. */
export function ownedBy(tags: Tags | undefined, stack: string, address: string): boolean {
  const m = markerOf(tags);
  return m !== undefined && m.stack === stack && m.address === address;
}

/** True for a tag key vmsync itself uses. */
export function isVmsyncKey(key: string): boolean {
  return VMSYNC_KEYS.has(key);
}

/** Exactly the keys vmsync writes; a user's own tag that merely starts with "vmsync-" is theirs. */
const VMSYNC_KEYS = new Set<string>([...Object.values(TAG), ...Object.values(META)]);

/** Manifest tags read back from Azure tags: keys with an empty value that are not vmsync's, sorted. */
export function manifestTagsOf(tags: Tags | undefined): string[] {
  return Object.entries(tags ?? {}).filter(([k, v]) => v === "" && !isVmsyncKey(k)).map(([k]) => k).sort();
}

/**
 * The tags to write for an object: the ones vmsync does not manage (those with a value, not vmsync's)
 * are kept from `current`, then the manifest tags as empty-valued keys, then vmsync's own.
 */
export function mergedTags(current: Tags | undefined, manifestTags: string[], own: Tags): Tags {
  const out: Tags = {};
  for (const [k, v] of Object.entries(current ?? {})) if (v !== "" && !isVmsyncKey(k)) out[k] = v;
  for (const t of manifestTags) out[t] = "";
  return { ...out, ...own };
}
