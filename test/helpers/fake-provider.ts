import type { DesiredProvider, DesiredResource, ResourceKind } from "../../src/manifest/model.js";
import { sizeToMiB } from "../../src/manifest/units.js";
import {
  ProviderError, type CanonicalSpec, type CreateRequest, type DeleteRequest, type FieldChange, type ObservedResource,
  type OperationContext, type Provider, type ProviderSession, type UpdateRequest,
} from "../../src/providers/contract.js";
import { diffSpecs, rulePath } from "../../src/providers/diff-util.js";

/** One object in the fake world. */
export interface FakeObject {
  kind: ResourceKind;
  id: string;
  name: string;
  marker?: { stack: string; address: string };
  spec: CanonicalSpec;
}

/**
 * A provider at the seam, in memory, for planner and executor tests. Canonical VM spec:
 * `{memory (MiB), cores, node, disks: [{size (MiB)}], power, tags}`; `node` needs a replacement,
 * `memory` a restart, shrinking a disk is unsupported. Hooks let tests inject failures and delays
 * and see the order and concurrency of calls.
 */
export class FakeProvider implements Provider {
  readonly type = "proxmox" as const;
  readonly world = new Map<string, FakeObject>();
  readonly calls: Array<{ op: string; address: string; at: number }> = [];
  /** Every create request, as the executor sent it (attempts included). */
  readonly createRequests: CreateRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 100;
  /** Called before each operation; throw to fail it, await to delay it (`signal`: the operation's cancellation). */
  hook: (op: "create" | "update" | "delete", address: string, attempt: number, signal: AbortSignal) => Promise<void> | void = () => {};
  private attempts = new Map<string, number>();
  /** Snapshots by external id (for schedule tests); `snapshotNow` stamps their creation time. */
  readonly snaps = new Map<string, Array<{ name: string; createdAt: string }>>();
  snapshotNow: () => number = Date.now;
  /** Called before each snapshot operation; throw to fail it. */
  snapshotHook: (op: "list" | "create" | "delete", externalId: string) => Promise<void> | void = () => {};

  canonicalize(r: DesiredResource, _config: DesiredProvider): CanonicalSpec {
    const s = r.spec as { memory?: string; cpu?: { cores?: number }; node?: string; disks?: Array<{ size: string }>; power?: string; tags?: string[] };
    return {
      memory: s.memory ? sizeToMiB(s.memory) : undefined,
      cores: s.cpu?.cores ?? 1,
      node: s.node,
      disks: (s.disks ?? []).map((d) => ({ size: sizeToMiB(d.size) })),
      power: s.power ?? "running",
      tags: [...(s.tags ?? [])].sort(),
    };
  }

  diff(_kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
    return diffSpecs(desired, observed, (path, before, after) => {
      if (rulePath(path) === "node") return { effect: "replace", note: "VMs cannot move nodes in place" };
      if (rulePath(path) === "memory") return { effect: "restart" };
      if (rulePath(path) === "disks.size" && typeof before === "number" && typeof after === "number" && after < before) return { effect: "unsupported", note: "disks can only grow" };
      return { effect: "in-place" };
    });
  }

  sensitivePaths(): string[] {
    return ["password"];
  }

  /** Puts an object into the world directly (as if made outside vmsync). */
  put(obj: Omit<FakeObject, "id"> & { id?: string }): FakeObject {
    const full = { ...obj, id: obj.id ?? `pve1/${this.nextId++}` };
    this.world.set(full.id, full);
    return full;
  }

  observed(): ObservedResource[] {
    return [...this.world.values()].map((o) => ({ kind: o.kind, externalId: o.id, name: o.name, spec: structuredClone(o.spec), ...(o.marker ? { marker: o.marker } : {}) }));
  }

  async connect(): Promise<ProviderSession> {
    const run = async <T>(op: "create" | "update" | "delete", address: string, ctx: OperationContext, body: () => T): Promise<T> => {
      const attempt = (this.attempts.get(`${op}:${address}`) ?? 0) + 1;
      this.attempts.set(`${op}:${address}`, attempt);
      this.calls.push({ op, address, at: Date.now() });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await this.hook(op, address, attempt, ctx.signal);
        if (ctx.signal.aborted) throw new ProviderError(`${op} ${address} cancelled`, { code: "CANCELLED", retryable: false });
        return body();
      } finally {
        this.inFlight--;
      }
    };
    return {
      observe: async () => this.observed(),
      create: (req: CreateRequest, ctx) => (this.createRequests.push(structuredClone(req)), run("create", req.address, ctx, () => {
        const obj = this.put({ kind: req.kind, name: req.name, marker: req.marker, spec: structuredClone(req.spec) });
        return { kind: obj.kind, externalId: obj.id, name: obj.name, marker: req.marker, spec: structuredClone(obj.spec) };
      })),
      update: (req: UpdateRequest, ctx) => run("update", req.address, ctx, () => {
        const obj = this.world.get(req.externalId);
        if (!obj) throw new ProviderError(`update ${req.address}: ${req.externalId} not found`, { code: "NOT_FOUND", retryable: false });
        obj.spec = { ...obj.spec, ...structuredClone(req.spec) };
        return { kind: obj.kind, externalId: obj.id, name: obj.name, spec: structuredClone(obj.spec), ...(obj.marker ? { marker: obj.marker } : {}) };
      }),
      delete: (req: DeleteRequest, ctx) => run("delete", req.address, ctx, () => {
        this.world.delete(req.externalId);
      }),
      snapshots: {
        list: async (t) => {
          await this.snapshotHook("list", t.externalId);
          return structuredClone(this.snaps.get(t.externalId) ?? []);
        },
        create: async (t, name) => {
          await this.snapshotHook("create", t.externalId);
          this.snaps.set(t.externalId, [...(this.snaps.get(t.externalId) ?? []), { name, createdAt: new Date(this.snapshotNow()).toISOString() }]);
        },
        delete: async (t, name) => {
          await this.snapshotHook("delete", t.externalId);
          this.snaps.set(t.externalId, (this.snaps.get(t.externalId) ?? []).filter((x) => x.name !== name));
        },
      },
      close: async () => {},
    };
  }
}

/** A transient error as a provider would raise it. */
export function transient(message = "HTTP 503 busy"): ProviderError {
  return new ProviderError(message, { code: "HTTP_503", retryable: true });
}

/** A permanent error as a provider would raise it. */
export function permanent(message = "HTTP 400 bad parameter"): ProviderError {
  return new ProviderError(message, { code: "HTTP_400", retryable: false });
}
