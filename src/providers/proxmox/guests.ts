import type { OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { ProxmoxApiError } from "./errors.js";
import { splitDescription, type MarkerLine } from "./marker.js";
import { tagsOf, type GuestView, type PveConfig } from "./normalise.js";
import { mapLimit } from "./sync.js";

/** One entry of the live per-node guest list (`GET /nodes/{node}/qemu`). */
export interface GuestEntry {
  node: string;
  vmid: number;
  name: string;
  running: boolean;
  template: boolean;
  tags: string;
  /**
   * The entry's cheap data a config change can show in (name, tags, status, template, lock, CPUs,
   * memory and boot disk size — PVE computes them from the config), as one string: a config read
   * under the same summary may be served from the observation cache.
   */
  summary: string;
}

/** The cache key of a QEMU guest (LXC guests get `lxc/…`). */
export function guestKey(e: { node: string; vmid: number }): string {
  return `qemu/${e.node}/${e.vmid}`;
}

/**
 * Lists every QEMU guest of the cluster from the live per-node lists (`/nodes/{node}/qemu` reads the
 * configs, unlike `/cluster/resources`, whose names and status lag up to 10 s behind pvestatd).
 * A node that is not online fails the listing: planning without its guests could recreate them.
 */
export async function listGuests(c: ProxmoxContext, signal?: AbortSignal): Promise<GuestEntry[]> {
  const opts = signal ? { signal } : {};
  const nodes = await c.api.get<Array<{ node: string; status?: string }>>("/nodes", undefined, opts);
  const offline = nodes.filter((n) => n.status !== undefined && n.status !== "online").map((n) => n.node);
  if (offline.length) throw new ProxmoxApiError({ method: "GET", path: "/nodes" }, 503, `node ${offline.join(", ")} is not online; its guests cannot be observed`);
  const lists = await mapLimit(nodes, c.readConcurrency, async (n) => {
    const items = await c.api.get<Array<Record<string, unknown>>>(`/nodes/${n.node}/qemu`, undefined, opts);
    return items.map((e) => ({
      node: n.node, vmid: Number(e.vmid), name: String(e.name ?? `VM ${e.vmid}`), running: e.status === "running",
      template: Number(e.template ?? 0) === 1, tags: String(e.tags ?? ""),
      summary: JSON.stringify([e.name, e.tags, e.status, e.template, e.lock, e.cpus, e.maxmem, e.maxdisk].map((v) => v ?? null)),
    }));
  });
  return lists.flat().sort((a, b) => a.vmid - b.vmid);
}

/** Reads a guest's config (pending values applied); undefined when it does not exist there. */
export async function readGuest(c: ProxmoxContext, node: string, vmid: number, signal?: AbortSignal, running?: boolean): Promise<GuestView | undefined> {
  const opts = signal ? { signal } : {};
  try {
    const config = await c.api.get<PveConfig>(`/nodes/${node}/qemu/${vmid}/config`, undefined, opts);
    const live = running ?? (await c.api.get<{ status?: string }>(`/nodes/${node}/qemu/${vmid}/status/current`, undefined, opts)).status === "running";
    return { node, vmid, running: live, config };
  } catch (err) {
    if (err instanceof ProxmoxApiError && err.notFound) return undefined;
    throw err;
  }
}

/** Reads the configs of `entries` with at most `c.readConcurrency` reads in flight (guests gone meanwhile are skipped). */
export async function readGuests(c: ProxmoxContext, entries: GuestEntry[], signal?: AbortSignal): Promise<GuestView[]> {
  const views = await mapLimit(entries, c.readConcurrency, (e) => readGuest(c, e.node, e.vmid, signal, e.running));
  return views.filter((v): v is GuestView => v !== undefined);
}

/** The marker line of a guest, if it has one. */
export function markerOf(g: GuestView): MarkerLine | undefined {
  return splitDescription(g.config.description === undefined ? undefined : String(g.config.description)).marker;
}

/**
 * Finds the guest that carries this stack's marker for `address` (a create that was interrupted or
 * is being retried). Only guests tagged `vmsync` and named `name` are read.
 */
export async function findOwned(c: ProxmoxContext, address: string, name: string, op?: OperationContext): Promise<GuestView | undefined> {
  const entries = (await listGuests(c, op?.signal)).filter((e) => e.name === name && tagsOf(e.tags).marked);
  for (const g of await readGuests(c, entries, op?.signal)) {
    const m = markerOf(g);
    if (m?.stack === c.stack && m.address === address) return g;
  }
  return undefined;
}

/** Finds the template VM of `VmTemplate/<name>`: by this stack's marker, else a template VM of that name. */
export async function findTemplate(c: ProxmoxContext, name: string, op?: OperationContext): Promise<GuestView | undefined> {
  const entries = (await listGuests(c, op?.signal)).filter((e) => e.template && e.name === name);
  const views = await readGuests(c, entries, op?.signal);
  return views.find((g) => markerOf(g)?.stack === c.stack && markerOf(g)?.address === `VmTemplate/${name}`) ?? views[0];
}

/** The API path of a guest. */
export function guestPath(g: { node: string; vmid: number }): string {
  return `/nodes/${g.node}/qemu/${g.vmid}`;
}
