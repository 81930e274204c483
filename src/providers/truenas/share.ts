/**
 * NfsShare on TrueNAS: a filesystem dataset (quota from `spec.size`) plus an NFS share of its
 * mount path. Canonical spec (desired and observed):
 *
 *     { dataset, quota (MiB|null), networks: [sorted], hosts: [sorted], readOnly,
 *       maprootUser, maprootGroup, mapallUser }
 *
 * Root mapping (reference §6.1; maproot and mapall are mutually exclusive): `mapAllUser` set →
 * mapall_user = it and no maproot; otherwise `rootSquash: true` (default) → maproot
 * nobody:nogroup, `rootSquash: false` → maproot root:root (TrueNAS exports `no_root_squash` only
 * for a root maproot). externalId is the dataset name (stable across a re-created share row); the
 * marker sits in the share `comment` and the dataset `comments`.
 */
import type { DesiredResource } from "../../manifest/model.js";
import type { NfsShareSpec } from "../../manifest/schema/index.js";
import { sizeToMiB } from "../../manifest/units.js";
import type { CanonicalSpec, ObservedResource } from "../contract.js";
import type { DatasetInfo } from "./datasets.js";
import { parseMarked } from "./marker.js";
import { mountPath, poolOf } from "./names.js";

/** The canonical NfsShare spec. */
export interface CanonShare {
  dataset: string;
  quota: number | null;
  networks: string[];
  hosts: string[];
  readOnly: boolean;
  maprootUser: string | null;
  maprootGroup: string | null;
  mapallUser: string | null;
}

/** The canonical desired spec of an NfsShare (pure). */
export function canonicalShare(r: DesiredResource): CanonShare {
  const s = r.spec as NfsShareSpec;
  const mapall = s.mapAllUser ?? null;
  const squash = s.rootSquash !== false;
  return {
    dataset: s.dataset ?? "",
    quota: sizeToMiB(s.size) ?? null,
    networks: [...(s.networks ?? [])].sort(),
    hosts: [...(s.hosts ?? [])].sort(),
    readOnly: s.readOnly === true,
    maprootUser: mapall ? null : squash ? "nobody" : "root",
    maprootGroup: mapall ? null : squash ? "nogroup" : "root",
    mapallUser: mapall,
  };
}

/** The `sharing.nfs.create/update` fields for a canonical spec (comment set by the caller). */
export function shareFields(d: CanonShare): Record<string, unknown> {
  return {
    path: mountPath(d.dataset), networks: d.networks, hosts: d.hosts, ro: d.readOnly,
    maproot_user: d.maprootUser, maproot_group: d.maprootGroup, mapall_user: d.mapallUser, mapall_group: null,
  };
}

/** The dataset of a share row (`/mnt/<dataset>`), or undefined for paths outside /mnt. */
export function datasetOfShare(row: Record<string, unknown>): string | undefined {
  const p = String(row.path ?? "");
  return p.startsWith("/mnt/") ? p.slice(5).replace(/\/+$/, "") : undefined;
}

const MiB = 1024 * 1024;

/** One observed NfsShare from a share row (or none: an owned dataset whose share is missing) and its dataset. */
export function observeShare(row: Record<string, unknown> | undefined, dataset: string, ds: DatasetInfo | undefined): ObservedResource {
  const parsed = parseMarked(row ? row.comment : ds?.comments);
  const spec: CanonShare = {
    dataset,
    quota: ds?.quota ? ds.quota / MiB : null,
    networks: row ? [...((row.networks ?? []) as string[])].sort() : [],
    hosts: row ? [...((row.hosts ?? []) as string[])].sort() : [],
    readOnly: row?.ro === true,
    maprootUser: (row?.maproot_user as string | null | undefined) ?? null,
    maprootGroup: (row?.maproot_group as string | null | undefined) ?? null,
    mapallUser: (row?.mapall_user as string | null | undefined) ?? null,
  };
  if (!row) Object.assign(spec, { networks: null, hosts: null, readOnly: null, maprootUser: "(no share)" });
  const name = parsed.marker?.address.startsWith("NfsShare/") ? parsed.marker.address.slice("NfsShare/".length) : dataset.slice(dataset.lastIndexOf("/") + 1);
  return { kind: "NfsShare", externalId: dataset, name, ...(parsed.marker ? { marker: parsed.marker } : {}), spec: spec as unknown as CanonicalSpec, status: { placement: poolOf(dataset) } };
}
