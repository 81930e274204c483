/**
 * VM create / update / delete / read. `create` is a converge: it adopts a VM (and per-VM dataset)
 * that already carries this resource's marker — a retried or interrupted create — and brings it
 * to the spec, so it never duplicates. `update` converges only the fields its changes name.
 * Power: the VM ends as the spec says; when a change only takes effect at the next start and the
 * VM runs (and should), it is stopped and started again; device deletions stop it first.
 */
import { ProviderError, type CreateRequest, type DeleteRequest, type FieldChange, type ObservedResource, type OperationContext, type OwnershipMarker, type UpdateRequest } from "../contract.js";
import { isUnder } from "../diff-util.js";
import type { SessionContext } from "./context.js";
import { deleteOwnedDataset, ensureOwnedFilesystem, queryDatasets, type DatasetInfo } from "./datasets.js";
import { doing, isNotFound } from "./errors.js";
import { parseMarked, sameOwner, withMarker } from "./marker.js";
import { zvolOfPath } from "./names.js";
import { deviceOps } from "./vm-device-ops.js";
import { devicesOf, observeVm } from "./vm-observe.js";
import type { CanonVm } from "./vm-spec.js";

type Entry = Record<string, unknown>;
const RESTART_FIELDS = ["vcpus", "cores", "threads", "memory", "bootloader"] as const;

/** The `vm.query` entry of VM `id`, or undefined. */
export async function getVm(ctx: SessionContext, filter: unknown[]): Promise<Entry | undefined> {
  return (await ctx.client.call<Entry[]>("vm.query", [[filter]], { idempotent: true }))[0];
}

/** The VM's state as TrueNAS reports it: RUNNING, STOPPED or SUSPENDED. */
export function stateOf(e: Entry): string {
  return String((e.status as { state?: string } | undefined)?.state ?? "STOPPED");
}

async function datasetsFor(ctx: SessionContext, e: Entry, dataset: string | null): Promise<DatasetInfo[]> {
  const names = devicesOf(e, "DISK").map((d) => zvolOfPath(d.attributes.path)).filter((z): z is string => z !== undefined);
  if (dataset) names.push(dataset);
  const own = dataset ? await queryDatasets(ctx.client, [["id", "^", `${dataset}/`]]) : [];
  return [...own, ...(await queryDatasets(ctx.client, [["id", "in", names]]))];
}

/** Reads VM `id` in canonical form (undefined when gone); `dataset` is where its zvols should be. */
export async function readVm(ctx: SessionContext, id: number, dataset: string | null): Promise<ObservedResource | undefined> {
  const e = await getVm(ctx, ["id", "=", id]);
  if (!e) return undefined;
  const ds = await datasetsFor(ctx, e, dataset);
  const sizes = new Map(ds.map((d) => [d.name, d.volsize]));
  return observeVm(e, {
    volsizeMiB: (z) => (sizes.get(z) !== undefined ? sizes.get(z)! / 1048576 : undefined),
    datasetOwnedBy: (stack, address) => ds.find((d) => sameOwner(parseMarked(d.comments).marker, { stack, address }))?.name,
    readSecret: (ref) => ctx.tryReadSecret(ref),
  });
}

/** Stops a VM through the `vm.stop` job (forced off after its shutdown timeout); stopped already is fine. */
export async function stopVm(ctx: SessionContext, e: Entry, signal: AbortSignal): Promise<void> {
  const id = Number(e.id);
  if (stateOf(e) === "SUSPENDED") return void (await ctx.client.call("vm.poweroff", [id]));
  try {
    await ctx.client.job("vm.stop", [id, { force: false, force_after_timeout: true }], signal);
  } catch (err) {
    const now = await getVm(ctx, ["id", "=", id]);
    if (now && stateOf(now) !== "STOPPED") throw err;
  }
}

/** Brings VM `e` to `d`, touching only what `touched` names. */
async function converge(ctx: SessionContext, e: Entry, d: CanonVm, marker: OwnershipMarker, touched: (p: string) => boolean, signal: AbortSignal): Promise<void> {
  const id = Number(e.id);
  const patch: Record<string, unknown> = {};
  for (const f of [...RESTART_FIELDS, "autostart"] as const) if (touched(f) && d[f] !== null && e[f] !== d[f]) patch[f] = d[f];
  const parsed = parseMarked(e.description);
  const extra: Record<string, string> = d.display?.password ? { "display-password": d.display.password } : {};
  const description = withMarker(touched("description") ? d.description : parsed.text, marker, touched("display") ? extra : parsed.extra);
  if (e.description !== description) patch.description = description;
  const ds = d.dataset ? await datasetsFor(ctx, e, d.dataset) : [];
  const ops = await deviceOps(ctx, e, d, touched, (z) => ds.find((x) => x.name === z)?.volsize);
  let state = stateOf(e);
  const restartEffect = RESTART_FIELDS.some((f) => f in patch) || ops.some((o) => o.restart);
  const wantRunning = touched("power") ? d.power === "running" : state !== "STOPPED";
  if (ops.some((o) => o.needsStop) && state !== "STOPPED") {
    await stopVm(ctx, e, signal);
    state = "STOPPED";
  }
  if (Object.keys(patch).length) await ctx.client.call("vm.update", [id, patch]);
  for (const op of ops) await op.run();
  if (wantRunning) {
    if (state === "SUSPENDED") await ctx.client.call("vm.resume", [id]);
    else if (state === "RUNNING" && restartEffect) await stopVm(ctx, { ...e, status: { state } }, signal);
    if (state === "STOPPED" || (state === "RUNNING" && restartEffect)) await ctx.client.call("vm.start", [id, { overcommit: false }]);
  } else if (state !== "STOPPED") await stopVm(ctx, { ...e, status: { state } }, signal);
}

function checkSpec(ctx: SessionContext, d: CanonVm): void {
  if (!d.dataset) throw new ProviderError(`no pool for its zvols: set defaults.pool on provider ${ctx.provider}`, { code: "TRUENAS_NO_POOL", retryable: false });
  if (d.memory === null) throw new ProviderError("memory is not set", { code: "TRUENAS_INVALID", retryable: false });
}

/** Creates (or adopts and completes) a VM with its per-VM dataset, zvols and devices. */
export function createVm(ctx: SessionContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const d = req.spec as unknown as CanonVm;
  return doing(`cannot create truenas vm ${d.name}`, async () => {
    checkSpec(ctx, d);
    let e = await getVm(ctx, ["name", "=", d.name]);
    if (e && !sameOwner(parseMarked(e.description).marker, req.marker)) {
      throw new ProviderError(`a VM named ${d.name} already exists (id ${String(e.id)}) and vmsync did not create it for ${req.address}`, { code: "TRUENAS_CONFLICT", retryable: false });
    }
    await ensureOwnedFilesystem(ctx.client, d.dataset!, req.marker);
    if (!e) {
      const extra: Record<string, string> = d.display?.password ? { "display-password": d.display.password } : {};
      e = await ctx.client.call<Entry>("vm.create", [{
        name: d.name, description: withMarker(d.description, req.marker, extra), vcpus: d.vcpus, cores: d.cores, threads: d.threads,
        memory: d.memory, bootloader: d.bootloader, autostart: d.autostart,
      }]);
    }
    await converge(ctx, e, d, req.marker, () => true, op.signal);
    return (await readVm(ctx, Number(e.id), d.dataset))!;
  });
}

/** Applies the changes of an update in place (devices included). */
export function updateVm(ctx: SessionContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const d = req.spec as unknown as CanonVm;
  return doing(`cannot update truenas vm ${d.name}`, async () => {
    const e = await getVm(ctx, ["id", "=", Number(req.externalId)]);
    if (!e) throw new ProviderError(`VM ${req.externalId} does not exist any more`, { code: "TRUENAS_NOT_FOUND", retryable: false });
    // defence in depth (the planner checks too): never take over a VM another stack or address owns
    const owner = parseMarked(e.description).marker;
    if (owner && !sameOwner(owner, req.marker)) throw new ProviderError(`VM ${String(e.name)} belongs to ${owner.stack}/${owner.address}`, { code: "TRUENAS_CONFLICT", retryable: false });
    const touched = (p: string) => req.changes.some((c: FieldChange) => isUnder(c.path, p) || isUnder(p, c.path));
    await converge(ctx, e, d, req.marker, touched, op.signal);
    return (await readVm(ctx, Number(e.id), d.dataset))!;
  });
}

/** Stops and deletes a VM with the zvols vmsync made for it, then its per-VM dataset. Gone is fine. */
export function deleteVm(ctx: SessionContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  const d = (req.spec ?? {}) as Partial<CanonVm>;
  const marker = { stack: ctx.stack, address: req.address };
  return doing(`cannot delete truenas vm ${d.name ?? req.externalId}`, async () => {
    const e = await getVm(ctx, ["id", "=", Number(req.externalId)]);
    if (e) {
      const owner = parseMarked(e.description).marker;
      if (owner && !sameOwner(owner, marker)) throw new ProviderError(`VM ${String(e.name)} belongs to ${owner.stack}/${owner.address}`, { code: "TRUENAS_CONFLICT", retryable: false });
      if (stateOf(e) !== "STOPPED") await stopVm(ctx, e, op.signal);
      const zvols = devicesOf(e, "DISK").map((x) => zvolOfPath(x.attributes.path));
      const allOurs = Boolean(d.dataset) && zvols.every((z) => z?.startsWith(`${d.dataset}/`));
      try {
        await ctx.client.call("vm.delete", [Number(e.id), { zvols: allOurs, force: false }]);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (d.dataset) await deleteOwnedDataset(ctx.client, d.dataset, marker);
  });
}
