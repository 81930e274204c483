import type { OwnershipMarker } from "../contract.js";

/**
 * The ownership marker on Azure objects. Taggable resources (VMs, NICs, public IPs, storage accounts,
 * resource groups, snapshots) carry two tags, `vmsync-stack: <stack>` and `vmsync-address:
 * <Kind/name>`. File shares take no tags, so they carry the same pair as share metadata, whose keys
 * must be identifiers: `vmsync_stack` and `vmsync_address`. Other vmsync tags:
 * - `vmsync-cloudinit`: hash of the cloud-init inputs sent as custom data (Azure never returns it);
 * - `vmsync-snapshot-of`, `vmsync-schedule`, `vmsync-taken`: on snapshots vmsync takes;
 * - `vmsync-tags`: the keys of the manifest's tags vmsync wrote (comma-separated, sorted).
 * Manifest `tags` are a map, written as they are. vmsync manages exactly the keys `vmsync-tags`
 * names: a key removed from the manifest is removed from Azure, a tag someone else added (Azure
 * Policy, a person) is left alone. An object without `vmsync-tags` (imported, or tagged before tags
 * were maps) has all its tags that are not vmsync's managed.
 */
export const TAG = {
  stack: "vmsync-stack",
  address: "vmsync-address",
  cloudInit: "vmsync-cloudinit",
  snapshotOf: "vmsync-snapshot-of",
  schedule: "vmsync-schedule",
  taken: "vmsync-taken",
  managedTags: "vmsync-tags",
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

/** Most characters Azure allows in a tag value (the `vmsync-tags` list must fit). */
const MAX_TAG_VALUE = 256;

/** The keys vmsync manages on an object with these tags (see the module comment). */
function managedKeys(tags: Tags | undefined): string[] {
  const all = Object.keys(tags ?? {}).filter((k) => !isVmsyncKey(k));
  const listed = tags?.[TAG.managedTags];
  if (listed === undefined) return all;
  const keys = new Set(listed.split(",").filter(Boolean));
  return all.filter((k) => keys.has(k));
}

/** The manifest tags read back from an object's tags: the keys vmsync manages, with their values, sorted. */
export function manifestTagsOf(tags: Tags | undefined): Tags {
  return Object.fromEntries(managedKeys(tags).sort().map((k) => [k, tags![k]!]));
}

/**
 * The tags to write for an object: its current tags without the ones vmsync managed (and without
 * vmsync's own), then the manifest's tags, the list of their keys (`vmsync-tags`) and vmsync's own
 * tags. A key list too long for a tag value is left out (then every tag counts as managed).
 */
export function mergedTags(current: Tags | undefined, manifestTags: Tags, own: Tags): Tags {
  const managed = new Set(managedKeys(current));
  const out: Tags = {};
  for (const [k, v] of Object.entries(current ?? {})) if (!isVmsyncKey(k) && !managed.has(k)) out[k] = v;
  Object.assign(out, manifestTags);
  const keys = Object.keys(manifestTags).sort().join(",");
  return { ...out, ...(keys.length <= MAX_TAG_VALUE ? { [TAG.managedTags]: keys } : {}), ...own };
}
