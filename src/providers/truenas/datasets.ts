/**
 * Datasets as vmsync uses them: a compact view of `pool.dataset.query` rows, and the two owned
 * operations — create a filesystem dataset carrying vmsync's marker in `comments` (or accept it
 * when it already carries the same marker, so a retried create adopts it), and delete a dataset
 * only when its marker names the same owner.
 */
import { ProviderError, type OwnershipMarker } from "../contract.js";
import type { TruenasClient } from "./client.js";
import { isNotFound } from "./errors.js";
import { parseMarked, sameOwner, withMarker } from "./marker.js";

/** What vmsync reads of a dataset. Sizes in bytes. */
export interface DatasetInfo {
  name: string;
  type: string;
  volsize?: number;
  quota: number | null;
  comments: string;
  userProps: Record<string, string>;
}

/** Query options: flat rows, only the properties vmsync reads, user properties included. */
export const DATASET_QUERY_OPTIONS = { extra: { flat: true, retrieve_children: false, properties: ["volsize", "quota", "comments"], retrieve_user_props: true } };

function prop(row: Record<string, unknown>, key: string): unknown {
  const p = row[key] as { parsed?: unknown; value?: unknown } | undefined;
  return p && typeof p === "object" ? (p.parsed ?? p.value ?? null) : null;
}

/** Reads one query row. */
export function datasetInfo(row: Record<string, unknown>): DatasetInfo {
  const vs = prop(row, "volsize");
  const quota = prop(row, "quota");
  const comments = prop(row, "comments");
  const userProps: Record<string, string> = {};
  for (const [k, v] of Object.entries((row.user_properties ?? {}) as Record<string, { value?: unknown } | string>)) {
    const value = typeof v === "string" ? v : v?.value;
    if (typeof value === "string") userProps[k] = value;
  }
  return {
    name: String(row.id ?? row.name),
    type: String(row.type ?? "FILESYSTEM"),
    ...(typeof vs === "number" ? { volsize: vs } : {}),
    quota: typeof quota === "number" && quota > 0 ? quota : null,
    comments: typeof comments === "string" ? comments : "",
    userProps,
  };
}

/** Datasets matching `filters`. */
export async function queryDatasets(client: TruenasClient, filters: unknown[]): Promise<DatasetInfo[]> {
  const rows = await client.call<Array<Record<string, unknown>>>("pool.dataset.query", [filters, DATASET_QUERY_OPTIONS], { idempotent: true });
  return rows.map(datasetInfo);
}

/** One dataset, or undefined. */
export async function getDataset(client: TruenasClient, name: string): Promise<DatasetInfo | undefined> {
  return (await queryDatasets(client, [["id", "=", name]]))[0];
}

/**
 * Makes sure filesystem `name` exists and is vmsync's (marker in `comments`); creates missing
 * ancestors. Refuses a same-named dataset that vmsync does not own. Extra create fields in `props`.
 */
export async function ensureOwnedFilesystem(client: TruenasClient, name: string, marker: OwnershipMarker, props: Record<string, unknown> = {}): Promise<DatasetInfo> {
  const existing = await getDataset(client, name);
  if (existing) {
    if (!sameOwner(parseMarked(existing.comments).marker, marker)) {
      throw new ProviderError(`dataset ${name} already exists and vmsync did not create it for ${marker.address}`, { code: "TRUENAS_CONFLICT", retryable: false });
    }
    return existing;
  }
  await client.call("pool.dataset.create", [{ name, type: "FILESYSTEM", comments: withMarker("", marker), create_ancestors: true, ...props }]);
  return (await getDataset(client, name))!;
}

/** Deletes `name` (recursively) when its marker names `marker`'s owner; absent is fine. Returns whether it deleted. */
export async function deleteOwnedDataset(client: TruenasClient, name: string, marker: OwnershipMarker): Promise<boolean> {
  const ds = await getDataset(client, name);
  if (!ds || !sameOwner(parseMarked(ds.comments).marker, marker)) return false;
  try {
    await client.call("pool.dataset.delete", [name, { recursive: true, force: false }]);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return true;
}
