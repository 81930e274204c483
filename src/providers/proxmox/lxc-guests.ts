import type { OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { ProxmoxApiError } from "./errors.js";
import { splitDescription, type MarkerLine } from "./marker.js";
import { tagsOf, type PveConfig } from "./normalise.js";
import type { CtView, StoragePaths } from "./lxc-normalise.js";
import { mapLimit } from "./sync.js";

/**
 * Reading containers: the live per-node lists (`GET /nodes/{node}/lxc` reads the configs, unlike
 * `/cluster/resources`, whose names and status lag up to 10 s behind pvestatd — and power must not
 * lag, or a plan right after an apply would not be clean), config reads with bounded concurrency,
 * the storages' mount paths (for bind mounts) and the lookups a create needs.
 */

/** One entry of `GET /nodes/{node}/lxc`. */
export interface CtEntry {
  node: string;
  vmid: number;
  name: string;
  running: boolean;
  template: boolean;
  tags: string;
  /** The entry's cheap data a config change can show in (see `GuestEntry.summary`): the observation cache's fingerprint. */
  summary: string;
}

/** The observation-cache key of a container. */
export function ctKey(e: { node: string; vmid: number }): string {
  return `lxc/${e.node}/${e.vmid}`;
}

/** The API path of a container. */
export function ctPath(g: { node: string; vmid: number }): string {
  return `/nodes/${g.node}/lxc/${g.vmid}`;
}

/** Every container of the cluster, one list call per node. A node that is not online fails the listing. */
export async function listContainers(c: ProxmoxContext, signal?: AbortSignal): Promise<CtEntry[]> {
  const opts = signal ? { signal } : {};
  const nodes = await c.api.get<Array<{ node: string; status?: string }>>("/nodes", undefined, opts);
  const offline = nodes.filter((n) => n.status !== undefined && n.status !== "online").map((n) => n.node);
  if (offline.length) throw new ProxmoxApiError({ method: "GET", path: "/nodes" }, 503, `node ${offline.join(", ")} is not online; its containers cannot be observed`);
  const lists = await mapLimit(nodes, c.readConcurrency, async (n) => {
    const items = await c.api.get<Array<Record<string, unknown>>>(`/nodes/${n.node}/lxc`, undefined, opts);
    return items.map((e) => ({
      node: n.node, vmid: Number(e.vmid), name: String(e.name ?? `CT${e.vmid}`), running: e.status === "running",
      template: Number(e.template ?? 0) === 1, tags: String(e.tags ?? ""),
      summary: JSON.stringify([e.name, e.tags, e.status, e.template, e.lock, e.cpus, e.maxmem, e.maxswap, e.maxdisk].map((v) => v ?? null)),
    }));
  });
  return lists.flat().sort((a, b) => a.vmid - b.vmid);
}

/** Reads a container's config (pending values applied); undefined when it is not there. */
export async function readContainer(c: ProxmoxContext, node: string, vmid: number, signal?: AbortSignal, running?: boolean): Promise<CtView | undefined> {
  const opts = signal ? { signal } : {};
  try {
    const config = await c.api.get<PveConfig>(`${ctPath({ node, vmid })}/config`, undefined, opts);
    const live = running ?? (await c.api.get<{ status?: string }>(`${ctPath({ node, vmid })}/status/current`, undefined, opts)).status === "running";
    return { node, vmid, running: live, config };
  } catch (err) {
    if (err instanceof ProxmoxApiError && err.notFound) return undefined;
    throw err;
  }
}

/** Reads the configs of `entries` with at most `c.readConcurrency` reads in flight (containers gone meanwhile are skipped). */
export async function readContainers(c: ProxmoxContext, entries: CtEntry[], signal?: AbortSignal): Promise<CtView[]> {
  const views = await mapLimit(entries, c.readConcurrency, (e) => readContainer(c, e.node, e.vmid, signal, e.running));
  return views.filter((v): v is CtView => v !== undefined);
}

/** Storage types whose volumes live under a directory named by `path` (network ones default to `/mnt/pve/<id>`). */
const MOUNTED = new Set(["nfs", "cifs", "glusterfs", "cephfs"]);

/** The directory of every storage that has one, from one `GET /storage`. */
export async function storagePaths(c: ProxmoxContext, signal?: AbortSignal): Promise<StoragePaths> {
  const list = await c.api.get<Array<Record<string, unknown>>>("/storage", undefined, signal ? { signal } : {});
  const out: StoragePaths = new Map();
  for (const s of list) {
    const id = String(s.storage);
    const path = s.path !== undefined ? String(s.path) : MOUNTED.has(String(s.type)) ? `/mnt/pve/${id}` : undefined;
    if (path) out.set(id, path.replace(/(.)\/+$/, "$1"));
  }
  return out;
}

/** The marker line of a container, if any. */
export function ctMarkerOf(v: CtView): MarkerLine | undefined {
  return splitDescription(v.config.description === undefined ? undefined : String(v.config.description)).marker;
}

/** The container carrying this stack's marker for `address` (tagged `vmsync` and named `hostname`). */
export async function findOwnedCt(c: ProxmoxContext, address: string, hostname: string, op?: OperationContext): Promise<CtView | undefined> {
  const entries = (await listContainers(c, op?.signal)).filter((e) => e.name === hostname && tagsOf(e.tags).marked);
  for (const v of await readContainers(c, entries, op?.signal)) {
    const m = ctMarkerOf(v);
    if (m?.stack === c.stack && m.address === address) return v;
  }
  return undefined;
}

/** The container template a clone names: this stack's `Container/<name>`, else a template with that host name. */
export async function findCtTemplate(c: ProxmoxContext, name: string, op?: OperationContext): Promise<CtView | undefined> {
  const entries = (await listContainers(c, op?.signal)).filter((e) => e.template && (e.name === name || tagsOf(e.tags).marked));
  const views = await readContainers(c, entries, op?.signal);
  return views.find((v) => ctMarkerOf(v)?.stack === c.stack && ctMarkerOf(v)?.address === `Container/${name}`) ?? views.find((v) => v.config.hostname === name);
}
