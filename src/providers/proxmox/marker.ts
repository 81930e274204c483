import type { OwnershipMarker } from "../contract.js";

/**
 * vmsync's ownership marker on Proxmox objects.
 *
 * VMs and template VMs carry the tag `vmsync` AND one description line
 *   `managed-by=vmsync stack=<stack> address=<Kind/name>[ clone-of=<template>][ clone=full|linked][ linked-clones=1]`
 * (values URI-encoded, so they never hold a space). The user's `description` text comes first,
 * then an empty line, then the marker line. The extra attributes record what only matters at
 * creation — the template a VM was cloned from and how — so that observe can report it back.
 *
 * NFS storages have no description or tag field: they are marked by their mount path, which vmsync
 * sets (a fixed parameter, so it cannot change later) to `/mnt/vmsync/<stack>/<share name>`.
 */
export const MARKER_TAG = "vmsync";

/** Everything the marker line holds. */
export interface MarkerLine extends OwnershipMarker {
  cloneOf?: string;
  clone?: "full" | "linked";
  linkedClones?: boolean;
  /**
   * Further create-time facts a kind records (containers: `ostemplate`, `ssh-keys`, `root-password`
   * — values PVE cannot return), by attribute name; printed after the others, sorted.
   */
  extra?: Record<string, string>;
}

const KNOWN = new Set(["stack", "address", "clone-of", "clone", "linked-clones"]);

const PREFIX = "managed-by=vmsync ";

/** Renders the marker line. */
export function formatMarkerLine(m: MarkerLine): string {
  const parts = [`stack=${encodeURIComponent(m.stack)}`, `address=${encodeURIComponent(m.address)}`];
  if (m.cloneOf !== undefined) parts.push(`clone-of=${encodeURIComponent(m.cloneOf)}`);
  if (m.clone !== undefined) parts.push(`clone=${m.clone}`);
  if (m.linkedClones) parts.push("linked-clones=1");
  for (const key of Object.keys(m.extra ?? {}).sort()) if (!KNOWN.has(key)) parts.push(`${key}=${encodeURIComponent(m.extra![key]!)}`);
  return `${PREFIX}${parts.join(" ")}`;
}

/** Parses a marker line; undefined when the line is not one (or lacks stack/address). */
export function parseMarkerLine(line: string): MarkerLine | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const attrs = new Map<string, string>();
  for (const part of line.slice(PREFIX.length).trim().split(/\s+/)) {
    const eq = part.indexOf("=");
    if (eq > 0) attrs.set(part.slice(0, eq), safeDecode(part.slice(eq + 1)));
  }
  const stack = attrs.get("stack");
  const address = attrs.get("address");
  if (!stack || !address) return undefined;
  const clone = attrs.get("clone");
  const extra = Object.fromEntries([...attrs].filter(([k]) => !KNOWN.has(k)));
  return {
    stack, address,
    ...(attrs.has("clone-of") ? { cloneOf: attrs.get("clone-of")! } : {}),
    ...(clone === "full" || clone === "linked" ? { clone } : {}),
    ...(attrs.get("linked-clones") === "1" ? { linkedClones: true } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** The description to store: the user's text (trailing whitespace removed), a blank line, the marker line. */
export function composeDescription(text: string, marker: MarkerLine): string {
  const user = text.replace(/\s+$/, "");
  return user ? `${user}\n\n${formatMarkerLine(marker)}` : formatMarkerLine(marker);
}

/** Splits a stored description into the user's text and the marker (if any). */
export function splitDescription(description: string | undefined): { text: string; marker?: MarkerLine } {
  const lines = (description ?? "").split("\n");
  let marker: MarkerLine | undefined;
  const rest: string[] = [];
  for (const line of lines) {
    const m = marker ? undefined : parseMarkerLine(line.trim());
    if (m) marker = m;
    else rest.push(line);
  }
  return { text: rest.join("\n").replace(/\s+$/, ""), ...(marker ? { marker } : {}) };
}

/** The mount path that marks an NFS storage as vmsync's. */
export function storageMarkerPath(stack: string, shareName: string): string {
  return `/mnt/vmsync/${encodeURIComponent(stack)}/${encodeURIComponent(shareName)}`;
}

/** The stack and share name a storage mount path marks, if it is a marker path. */
export function parseStorageMarkerPath(path: string | undefined): { stack: string; shareName: string } | undefined {
  const m = /^\/mnt\/vmsync\/([^/]+)\/([^/]+)$/.exec(path ?? "");
  return m ? { stack: safeDecode(m[1]!), shareName: safeDecode(m[2]!) } : undefined;
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
