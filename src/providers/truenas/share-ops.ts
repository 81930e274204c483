/**
 * NfsShare create / update / delete. Create and update are the same converge: the owned dataset
 * (created with its quota when missing), its quota, the share row of its mount path (created, or
 * updated to the spec), and the NFS service enabled and running. Delete removes the share row, then
 * the dataset — each only when it carries this resource's marker.
 */
import { ProviderError, type CreateRequest, type DeleteRequest, type ObservedResource, type OwnershipMarker, type UpdateRequest } from "../contract.js";
import type { SessionContext } from "./context.js";
import { deleteOwnedDataset, ensureOwnedFilesystem, getDataset } from "./datasets.js";
import { doing, isNotFound } from "./errors.js";
import { parseMarked, sameOwner, withMarker } from "./marker.js";
import { mountPath } from "./names.js";
import { observeShare, shareFields, type CanonShare } from "./share.js";

type Row = Record<string, unknown>;
const MiB = 1024 * 1024;

async function shareRow(ctx: SessionContext, dataset: string): Promise<Row | undefined> {
  return (await ctx.client.call<Row[]>("sharing.nfs.query", [[["path", "=", mountPath(dataset)]]], { idempotent: true }))[0];
}

/** Enables the NFS service at boot and starts it when stopped (idempotent). */
export async function ensureNfsService(ctx: SessionContext): Promise<void> {
  const svc = (await ctx.client.call<Row[]>("service.query", [[["service", "=", "nfs"]]], { idempotent: true }))[0];
  if (!svc) throw new ProviderError("the nfs service does not exist", { code: "TRUENAS_NO_NFS", retryable: false });
  if (svc.enable !== true) await ctx.client.call("service.update", ["nfs", { enable: true }]);
  if (svc.state === "RUNNING") return;
  if (ctx.dialect.serviceControl) await ctx.client.job("service.control", ["START", "nfs", { ha_propagate: true, silent: false }]);
  else await ctx.client.call("service.start", ["nfs", { ha_propagate: true, silent: false }]);
}

/** Reads the share of `dataset` in canonical form. */
export async function readShare(ctx: SessionContext, dataset: string): Promise<ObservedResource> {
  return observeShare(await shareRow(ctx, dataset), dataset, await getDataset(ctx.client, dataset));
}

async function converge(ctx: SessionContext, d: CanonShare, marker: OwnershipMarker): Promise<ObservedResource> {
  if (!d.dataset) throw new ProviderError("no dataset: set spec.dataset or defaults.pool", { code: "TRUENAS_NO_POOL", retryable: false });
  const quota = d.quota === null ? null : d.quota * MiB;
  const ds = await ensureOwnedFilesystem(ctx.client, d.dataset, marker, quota ? { quota } : {});
  if (ds.quota !== quota) await ctx.client.call("pool.dataset.update", [d.dataset, { quota }]);
  const row = await shareRow(ctx, d.dataset);
  const comment = withMarker(row ? parseMarked(row.comment).text : "", marker);
  if (!row) await ctx.client.call("sharing.nfs.create", [{ ...shareFields(d), comment }]);
  else if (!sameOwner(parseMarked(row.comment).marker, marker)) {
    throw new ProviderError(`an NFS share of ${mountPath(d.dataset)} already exists (id ${String(row.id)}) and vmsync did not create it`, { code: "TRUENAS_CONFLICT", retryable: false });
  } else {
    const want = { ...shareFields(d), comment };
    const patch = Object.fromEntries(Object.entries(want).filter(([k, v]) => JSON.stringify(k === "networks" || k === "hosts" ? [...((row[k] ?? []) as string[])].sort() : row[k] ?? null) !== JSON.stringify(v)));
    if (Object.keys(patch).length) await ctx.client.call("sharing.nfs.update", [Number(row.id), patch]);
  }
  await ensureNfsService(ctx);
  return readShare(ctx, d.dataset);
}

/** Creates (or adopts and completes) the dataset and share. */
export function createShare(ctx: SessionContext, req: CreateRequest): Promise<ObservedResource> {
  return doing(`cannot create truenas nfs share ${req.name}`, () => converge(ctx, req.spec as unknown as CanonShare, req.marker));
}

/** Brings the dataset and share to the spec. */
export function updateShare(ctx: SessionContext, req: UpdateRequest): Promise<ObservedResource> {
  return doing(`cannot update truenas nfs share ${req.externalId}`, () => converge(ctx, req.spec as unknown as CanonShare, req.marker));
}

/** Deletes the share row, then the dataset (only vmsync's; gone is fine). */
export function deleteShare(ctx: SessionContext, req: DeleteRequest): Promise<void> {
  const marker = { stack: ctx.stack, address: req.address };
  const dataset = req.externalId;
  return doing(`cannot delete truenas nfs share ${dataset}`, async () => {
    const row = await shareRow(ctx, dataset);
    if (row && sameOwner(parseMarked(row.comment).marker, marker)) {
      try {
        await ctx.client.call("sharing.nfs.delete", [Number(row.id)]);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await deleteOwnedDataset(ctx.client, dataset, marker);
  });
}
