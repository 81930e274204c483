import type { Json } from "./json.js";

/**
 * One stored resource. `body` is the wire shape a GET returns (without computed parts such as the
 * instance view); `internal` holds simulator state the API does not return as such (power state,
 * write-only fields, the operation currently running on it). `type` is ARM's type, e.g.
 * `Microsoft.Compute/virtualMachines`; `resourceGroup` is the group's name as created.
 */
export interface StoredResource {
  id: string;
  type: string;
  resourceGroup: string;
  body: Json;
  internal: Json;
}

/** What the world file holds; `version` guards the format. */
export interface WorldSnapshot {
  version: 1;
  subscriptionId: string;
  token: string;
  resourceGroups: Json[];
  resources: StoredResource[];
}

/**
 * The simulated subscription: resource groups and every resource in them, indexed by lower-case id
 * (ARM ids are case-insensitive) and by lower-case type for listing. Every mutation calls `onChange`
 * so the persistence layer can schedule a (coalesced) write. Callers mutate stored bodies in place and
 * then call `touch()`.
 */
export class World {
  private readonly groups = new Map<string, Json>();
  private readonly byType = new Map<string, Map<string, StoredResource>>();
  private readonly byId = new Map<string, StoredResource>();
  /** Per type, its resources sorted by lower-case id; dropped when a resource of the type is added or removed. */
  private readonly sorted = new Map<string, Array<[string, StoredResource]>>();
  onChange: () => void = () => {};

  constructor(
    readonly subscriptionId: string,
    readonly token: string,
  ) {}

  /** The resource group body by name (case-insensitive). */
  group(name: string): Json | undefined {
    return this.groups.get(name.toLowerCase());
  }

  /** All resource groups, sorted by lower-case name. */
  listGroups(): Json[] {
    return [...this.groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  }

  /** Adds or replaces a resource group body (its `name` is the key). */
  putGroup(body: Json): void {
    this.groups.set(String(body.name).toLowerCase(), body);
    this.touch();
  }

  /** Removes a resource group and every resource in it. */
  deleteGroup(name: string): void {
    const key = name.toLowerCase();
    for (const r of [...this.byId.values()]) if (r.resourceGroup.toLowerCase() === key) this.delete(r.id);
    this.groups.delete(key);
    this.touch();
  }

  /** A resource by id (case-insensitive). */
  get(id: string): StoredResource | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** Adds or replaces a resource. */
  put(res: StoredResource): void {
    const key = res.id.toLowerCase();
    this.byId.set(key, res);
    const t = res.type.toLowerCase();
    let m = this.byType.get(t);
    if (!m) this.byType.set(t, (m = new Map()));
    if (!m.has(key)) this.sorted.delete(t);
    m.set(key, res);
    this.touch();
  }

  /** Removes a resource; returns whether it existed. */
  delete(id: string): boolean {
    const key = id.toLowerCase();
    const res = this.byId.get(key);
    if (!res) return false;
    this.byId.delete(key);
    this.byType.get(res.type.toLowerCase())?.delete(key);
    this.sorted.delete(res.type.toLowerCase());
    this.touch();
    return true;
  }

  /**
   * Resources of one type, optionally only in one group, only under one parent id prefix, or only
   * in one location, sorted by lower-case id (stable order for paging).
   */
  list(type: string, filter: { resourceGroup?: string; parentId?: string; location?: string } = {}): StoredResource[] {
    const t = type.toLowerCase();
    const m = this.byType.get(t);
    if (!m) return [];
    let all = this.sorted.get(t);
    if (!all) this.sorted.set(t, (all = [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))));
    const rg = filter.resourceGroup?.toLowerCase();
    const parent = filter.parentId ? filter.parentId.toLowerCase() + "/" : undefined;
    const loc = filter.location?.toLowerCase();
    const out: StoredResource[] = [];
    for (const [key, r] of all) {
      if (rg !== undefined && r.resourceGroup.toLowerCase() !== rg) continue;
      if (parent !== undefined && !key.startsWith(parent)) continue;
      if (loc !== undefined && String(r.body.location ?? "").toLowerCase() !== loc) continue;
      out.push(r);
    }
    return out;
  }

  /** Every stored resource (unordered). */
  all(): IterableIterator<StoredResource> {
    return this.byId.values();
  }

  /** Signals a change made in place to a stored body. */
  touch(): void {
    this.onChange();
  }

  /** The persistable form of the world. */
  snapshot(): WorldSnapshot {
    return {
      version: 1,
      subscriptionId: this.subscriptionId,
      token: this.token,
      resourceGroups: this.listGroups(),
      resources: [...this.byId.values()],
    };
  }

  /** Rebuilds a world from a snapshot (no `onChange` calls). */
  static fromSnapshot(s: WorldSnapshot): World {
    const w = new World(s.subscriptionId, s.token);
    for (const g of s.resourceGroups) w.groups.set(String(g.name).toLowerCase(), g);
    for (const r of s.resources) w.put(r);
    return w;
  }
}
