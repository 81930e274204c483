import type { DesiredProvider, ResourceKind } from "../../manifest/model.js";
import { ProviderError, type CapacityPool, type CreateRequest, type DeleteRequest, type ObservedResource, type ObserveScope, type OperationContext, type PowerActions, type ProviderSession, type SnapshotActions, type UpdateRequest } from "../contract.js";
import { readProxmoxCapacity } from "./capacity.js";
import type { ProxmoxContext } from "./context.js";
import { inContext } from "./errors.js";
import { observeProxmox, rereadProxmox } from "./observe.js";
import { snapshotActions } from "./snapshots.js";
import { createStorage, deleteStorage, updateStorage } from "./storage.js";
import { createContainer } from "./lxc-create.js";
import { deleteContainer } from "./lxc-delete.js";
import { updateContainer } from "./lxc-update.js";
import { createGuest } from "./vm-create.js";
import { deleteGuest } from "./vm-delete.js";
import { proxmoxPower } from "./vm-power.js";
import { updateGuest } from "./vm-update.js";

/**
 * A live session with one Proxmox VE cluster. VirtualMachine and VmTemplate are QEMU guests and
 * Container an LXC guest (external id `node/vmid`); NfsShare attachments are NFS storages (external id = storage id).
 * Every operation waits for its UPID tasks and honours `ctx.signal` and `ctx.deadline`.
 */
export class ProxmoxSession implements ProviderSession {
  readonly snapshots: SnapshotActions;
  readonly power: PowerActions;
  constructor(private readonly c: ProxmoxContext, private readonly signal?: AbortSignal, private readonly config?: DesiredProvider) {
    this.snapshots = snapshotActions(c);
    this.power = proxmoxPower(c);
  }

  /** The shared context (for tests and tools built on the session). */
  get context(): ProxmoxContext {
    return this.c;
  }

  observe(scope: ObserveScope): Promise<ObservedResource[]> {
    return observeProxmox(this.c, scope, this.signal);
  }

  /** Node memory and vCPUs (times the provider's overcommit ratios) and storage space; see `capacity.ts`. */
  capacity(): Promise<CapacityPool[]> {
    const config = this.config ?? ({ name: this.c.providerName, spec: { type: "proxmox" } } as DesiredProvider);
    return inContext(`read the capacity of proxmox provider ${this.c.providerName}`, () => readProxmoxCapacity(this.c, config, this.signal));
  }

  /** Reads these guests' configs again, bypassing the observation cache (see `rereadProxmox`). */
  reread(targets: Array<{ kind: ResourceKind; externalId: string }>): Promise<ObservedResource[]> {
    return rereadProxmox(this.c, targets);
  }

  create(req: CreateRequest, ctx: OperationContext): Promise<ObservedResource> {
    if (req.kind === "NfsShare") return createStorage(this.c, req, ctx);
    if (req.kind === "Container") return createContainer(this.c, req, ctx);
    if (req.kind === "VirtualMachine" || req.kind === "VmTemplate") return createGuest(this.c, req, ctx);
    return Promise.reject(unsupported(req.kind));
  }

  update(req: UpdateRequest, ctx: OperationContext): Promise<ObservedResource> {
    if (req.kind === "NfsShare") return updateStorage(this.c, req, ctx);
    if (req.kind === "Container") return updateContainer(this.c, req, ctx);
    if (req.kind === "VirtualMachine" || req.kind === "VmTemplate") return updateGuest(this.c, req, ctx);
    return Promise.reject(unsupported(req.kind));
  }

  delete(req: DeleteRequest, ctx: OperationContext): Promise<void> {
    if (req.kind === "NfsShare") return deleteStorage(this.c, req, ctx);
    if (req.kind === "Container") return deleteContainer(this.c, req, ctx);
    if (req.kind === "VirtualMachine" || req.kind === "VmTemplate") return deleteGuest(this.c, req, ctx);
    return Promise.reject(unsupported(req.kind));
  }

  async close(): Promise<void> {
    this.c.api.close();
  }
}

function unsupported(kind: string): ProviderError {
  return new ProviderError(`the proxmox provider does not manage ${kind} resources`, { code: "PROXMOX_UNSUPPORTED_KIND", retryable: false });
}
