import type { CanonicalSpec, ChangeEffect, FieldChange } from "../contract.js";
import { diffSpecs, rulePath } from "../diff-util.js";
import type { CtMount } from "./lxc-spec.js";

type Verdict = { effect: ChangeEffect; note?: string };

const PENDING_NOTE = "Proxmox keeps this change pending on a running container until it restarts; vmsync reboots it after the update";
const CREATE_ONLY: Record<string, string> = {
  ostemplate: "the OS template is only used when the container is created",
  clone: "the clone source is only used when the container is created",
  unprivileged: "Proxmox cannot change unprivileged after creation (a read-only option)",
  template: "converting between container and template is not done in place",
  sshKeys: "Proxmox writes SSH keys into the container only when it is created from an OS template",
  rootPassword: "Proxmox sets the root password only when the container is created from an OS template",
};

/**
 * Field effects of a Container (pve-container's rules for a running container):
 * - `node`, `vmid`, `rootfs.storage` and the create-time facts (`ostemplate`, `clone`,
 *   `unprivileged`, `template`, `sshKeys`, `rootPassword`) → replace; a create-time fact that
 *   observes as null (not recorded: an imported container) → in-place, it is just recorded;
 * - `rootfs.size` and a volume mount point's size: grow in place (online resize), shrink unsupported;
 * - mount points: added → in place (hot-plugged); a volume removed or turned into a bind, or moved
 *   to another storage → unsupported (vmsync never drops a volume); a bind removed or any other
 *   change of an existing mount point → restart when running (PVE leaves it pending);
 * - `features` → restart when running; everything else (cores, memory, swap, NICs, hostname,
 *   onboot, tags, description, power) → in place (PVE hot-plugs them);
 * - a container template's volumes (rootfs, mount points) → replace: clones use them as base volumes.
 */
export function diffContainer(desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
  const running = observed.power === "running";
  const template = observed.template === true;
  return diffSpecs(desired, observed, (path, before, after) =>
    template && /^(rootfs|mountPoints)/.test(path) ? { effect: "replace", note: "the volumes of a container template are base volumes that clones use" } : classify(path, before, after, running));
}

function classify(path: string, before: unknown, after: unknown, running: boolean): Verdict {
  const rule = rulePath(path);
  const top = rule.split(".")[0]!;
  if (CREATE_ONLY[top]) {
    return before === null || before === undefined
      ? { effect: "in-place", note: "not recorded on this container (created outside vmsync); vmsync records it" }
      : { effect: "replace", note: CREATE_ONLY[top] };
  }
  if (rule === "node") return { effect: "replace", note: "moving a container to another node needs a migration, which vmsync does not do" };
  if (rule === "vmid") return { effect: "replace", note: "a VMID cannot change" };
  if (rule === "rootfs.storage") return { effect: "replace", note: "moving the root volume to another storage is not done in place" };
  if (rule === "rootfs.size" || rule === "mountPoints.volume.size") {
    return Number(after) < Number(before) ? { effect: "unsupported", note: "Proxmox cannot shrink a container volume" } : { effect: "in-place", note: "grown with resize (online)" };
  }
  if (rule === "mountPoints") return mountListChange(before as CtMount[] | undefined, after as CtMount[], running);
  if (rule === "mountPoints.volume.storage") return { effect: "unsupported", note: "vmsync does not move mount point volumes (use pct move-volume)" };
  if (rule === "mountPoints.volume" || rule === "mountPoints.bind") {
    return before !== null && before !== undefined && rule === "mountPoints.volume"
      ? { effect: "unsupported", note: "vmsync does not detach a volume mount point (its data would be left unused)" }
      : running ? { effect: "restart", note: PENDING_NOTE } : { effect: "in-place" };
  }
  if (rule.startsWith("mountPoints.") || rule.startsWith("features")) return running ? { effect: "restart", note: PENDING_NOTE } : { effect: "in-place" };
  return { effect: "in-place" };
}

/** Mount points added at the end can be hot-plugged; a volume dropped cannot be undone by vmsync. */
function mountListChange(before: CtMount[] | undefined, after: CtMount[], running: boolean): Verdict {
  const wanted = new Map(after.map((m) => [m.slot, m]));
  let restart = false;
  for (const m of before ?? []) {
    const w = wanted.get(m.slot);
    if (m.volume && (!w || !w.volume)) return { effect: "unsupported", note: `vmsync does not remove volume mount points (${m.slot}, ${m.path}); detach it in Proxmox if you mean it` };
    if (m.volume && w?.volume && w.volume.storage !== m.volume.storage) return { effect: "unsupported", note: `vmsync does not move mount point volumes (${m.slot})` };
    if (m.volume && w?.volume && w.volume.size < m.volume.size) return { effect: "unsupported", note: `Proxmox cannot shrink a container volume (${m.slot})` };
    if (!w || !sameMount(w, m)) restart = true;
  }
  const added = after.filter((m) => !(before ?? []).some((b) => b.slot === m.slot));
  if (running && restart) return { effect: "restart", note: PENDING_NOTE };
  return added.length ? { effect: "in-place", note: `adds ${added.map((m) => `${m.slot} (${m.path})`).join(", ")} (hot-plugged)` } : { effect: "in-place" };
}

/** Whether desired mount point `w` matches observed `m` apart from a volume's size (which resize handles). */
function sameMount(w: CtMount, m: CtMount): boolean {
  if (w.path !== m.path || w.readOnly !== m.readOnly || !w.volume !== !m.volume || !w.bind !== !m.bind) return false;
  if (w.volume && m.volume && w.volume.backup !== m.volume.backup) return false;
  return !w.bind || Object.entries(w.bind).every(([k, v]) => (m.bind as Record<string, unknown>)[k] === v);
}
