import { posix } from "node:path";
import type { SimNode } from "../ssh/directory.js";
import type { SimContext } from "./context.js";
import { findVolume, volumeKey } from "./volumes.js";

/** Where a storage keeps its files on a node: `path` of dir storages, `/mnt/pve/<id>` of NFS ones. */
function basePath(cfg: Record<string, string | number>, id: string): string | undefined {
  if (cfg.type === "dir") return String(cfg.path ?? "");
  if (cfg.type === "nfs" || cfg.type === "cifs" || cfg.type === "cephfs") return `/mnt/pve/${id}`;
  return undefined;
}

/** The storage and snippet file name a node path stands for (`/var/lib/vz/snippets/x.yaml` → local, x.yaml). */
function snippetAt(sim: SimContext, node: string, path: string): { storage: string; file: string } | undefined {
  const dir = posix.dirname(path);
  const file = posix.basename(path);
  for (const [id, cfg] of Object.entries(sim.world.storages)) {
    const base = basePath(cfg, id);
    if (!base || dir !== `${base}/snippets`) continue;
    if (!String(cfg.content ?? "").split(",").includes("snippets")) continue;
    if (cfg.nodes && !String(cfg.nodes).split(",").includes(node)) continue;
    return { storage: id, file };
  }
  return undefined;
}

/**
 * A Proxmox node as the SSH simulator serves it: root logs in, and SFTP reaches the `snippets`
 * folders of the storages that hold snippets (`/var/lib/vz/snippets` of `local`). A file written
 * there is storage content (`local:snippets/NAME`, format `snippet`) that the API lists and
 * `cicustom` can name; removing it removes the volume.
 */
export function proxmoxNodes(sim: SimContext): SimNode[] {
  return sim.world.nodes.map((node, i) => ({
    names: [node],
    addresses: [`10.0.0.${11 + i}`],
    files: {
      isDir: (path) => posix.basename(path) === "snippets" ? snippetAt(sim, node, `${path}/x`) !== undefined : false,
      read: (path) => {
        const at = snippetAt(sim, node, path);
        return at ? findVolume(sim, `${at.storage}:snippets/${at.file}`, node)?.text : undefined;
      },
      write: (path, text) => {
        const at = snippetAt(sim, node, path);
        if (!at) return "No such file";
        const volid = `${at.storage}:snippets/${at.file}`;
        const shared = sim.world.storages[at.storage]?.shared === 1 || sim.world.storages[at.storage]?.type !== "dir";
        sim.world.volumes[volumeKey(sim, volid, node)] = { volid, storage: at.storage, node: shared ? null : node, vmid: 0, size: Buffer.byteLength(text), format: "snippet", ctime: Math.floor(Date.now() / 1000), text };
        sim.changed();
        return true;
      },
      remove: (path) => {
        const at = snippetAt(sim, node, path);
        if (!at) return false;
        const key = volumeKey(sim, `${at.storage}:snippets/${at.file}`, node);
        if (!sim.world.volumes[key]) return false;
        delete sim.world.volumes[key];
        sim.changed();
        return true;
      },
    },
  }));
}
