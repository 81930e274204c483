import type { CanonicalSpec, ChangeEffect, FieldChange } from "../contract.js";
import { diffSpecs } from "../diff-util.js";
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
 * Field effects of a Container (pve-container's rules for a running container). Mount points and
 * NICs are keyed by option name (`mountPoints.mp1.volume.size`), and one that is only at the
 * provider shows as removed (`after: null`):
 * - `node`, `vmid`, `rootfs.storage` and the create-time facts (`ostemplate`, `clone`,
 *   `unprivileged`, `template`, `sshKeys`, `rootPassword`) → replace; a create-time fact that
 *   observes as null (not recorded: an imported container) → in-place, it is just recorded;
 * - `rootfs.size` and a volume mount point's size: grow in place (online resize), shrink unsupported;
 * - mount points: added → in place (hot-plugged); a volume mount point removed, turned into a bind
 *   or moved to another storage → unsupported (vmsync never drops a volume); a bind removed, or any
 *   other change of an existing mount point → restart when running (PVE leaves it pending);
 * - `features` → restart when running; everything else (cores, memory, swap, NICs, hostname,
 *   onboot, tags, description, power) → in place (PVE hot-plugs them);
 * - a container template's volumes (rootfs, mount points) → replace: clones use them as base volumes.
 */
export function diffContainer(desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
  const running = observed.power === "running";
  const template = observed.template === true;
  const verdict = (path: string, before: unknown, after: unknown): Verdict =>
    template && /^(rootfs|mountPoints)/.test(path) ? { effect: "replace", note: "the volumes of a container template are base volumes that clones use" } : classify(path, before, after, running);
  const out = diffSpecs(desired, observed, verdict);
  for (const list of ["mountPoints", "networks"]) {
    const want = (desired[list] ?? {}) as Record<string, unknown>;
    const have = (observed[list] ?? {}) as Record<string, unknown>;
    if (desired[list] === undefined) continue;
    for (const key of Object.keys(have).sort()) {
      if (want[key] === undefined) out.push({ path: `${list}.${key}`, before: have[key], after: null, ...verdict(`${list}.${key}`, have[key], null) });
    }
  }
  return out;
}

/** The rule a path falls under: `mountPoints.mp3.volume.size` → `mountPoints.*.volume.size`. */
function ruleOf(path: string): string {
  return path.replace(/^(mountPoints|networks)\.[a-z]+\d+/, "$1.*");
}

function classify(path: string, before: unknown, after: unknown, running: boolean): Verdict {
  const rule = ruleOf(path);
  const top = rule.split(".")[0]!;
  const restart: Verdict = running ? { effect: "restart", note: PENDING_NOTE } : { effect: "in-place" };
  if (CREATE_ONLY[top]) {
    return before === null || before === undefined
      ? { effect: "in-place", note: "not recorded on this container (created outside vmsync); vmsync records it" }
      : { effect: "replace", note: CREATE_ONLY[top] };
  }
  if (rule === "node") return { effect: "replace", note: "moving a container to another node needs a migration, which vmsync does not do" };
  if (rule === "vmid") return { effect: "replace", note: "a VMID cannot change" };
  if (rule === "rootfs.storage") return { effect: "replace", note: "moving the root volume to another storage is not done in place" };
  if (rule === "rootfs.size" || rule === "mountPoints.*.volume.size") {
    return Number(after) < Number(before) ? { effect: "unsupported", note: "Proxmox cannot shrink a container volume" } : { effect: "in-place", note: "grown with resize (online)" };
  }
  if (rule === "mountPoints.*") return mountEntry(before as CtMount | undefined, after as CtMount | null, restart);
  if (rule === "mountPoints.*.volume.storage") return { effect: "unsupported", note: "vmsync does not move mount point volumes (pct move-volume does)" };
  if (rule === "mountPoints.*.volume" && before !== null && before !== undefined) return { effect: "unsupported", note: "vmsync does not detach a volume mount point (its data would be left unused)" };
  if (rule.startsWith("mountPoints.") || rule.startsWith("features")) return restart;
  return { effect: "in-place" };
}

/** A whole mount point added (hot-plugged) or removed (a volume never; a bind at the next restart). */
function mountEntry(before: CtMount | undefined, after: CtMount | null, restart: Verdict): Verdict {
  if (before === undefined) return { effect: "in-place", note: "added to the running container (hot-plugged)" };
  if (after === null && before.volume) return { effect: "unsupported", note: `vmsync does not remove volume mount points (${before.path}); detach it in Proxmox if you mean it` };
  return restart;
}
