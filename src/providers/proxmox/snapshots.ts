import type { OperationContext, SnapshotActions } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { parseGuestId } from "./normalise.js";
import { runTask } from "./tasks.js";

/**
 * Snapshots of a VM or a container (target external id `node/vmid`; containers under `/lxc/`, same
 * API), taken and pruned by vmsync (PVE has no
 * snapshot schedules). `list` leaves out PVE's `current` pseudo entry and sorts by time; `create`
 * with a name that exists already and `delete` of one that is gone count as done.
 */
export function snapshotActions(c: ProxmoxContext): SnapshotActions {
  const base = (target: { kind: string; externalId: string }) => {
    const { node, vmid } = parseGuestId(target.externalId);
    return `/nodes/${node}/${target.kind === "Container" ? "lxc" : "qemu"}/${vmid}/snapshot`;
  };
  const what = (target: { kind: string }) => (target.kind === "Container" ? "container" : "vm");
  const textOf = (err: unknown) => (err instanceof ProxmoxTaskError ? err.exitStatus : err instanceof ProxmoxApiError ? err.detail : "");
  return {
    list: (target) =>
      inContext(`list snapshots of proxmox ${what(target)} ${target.externalId}`, async () => {
        const items = await c.api.get<Array<{ name: string; snaptime?: number }>>(base(target));
        return items
          .filter((s) => s.name !== "current")
          .sort((a, b) => (a.snaptime ?? 0) - (b.snaptime ?? 0) || a.name.localeCompare(b.name))
          .map((s) => ({ name: s.name, createdAt: new Date((s.snaptime ?? 0) * 1000).toISOString() }));
      }),
    create: (target, name, ctx: OperationContext) =>
      inContext(`snapshot proxmox ${what(target)} ${target.externalId} as ${name}`, async () => {
        try {
          await runTask(c.api, { method: "POST", path: base(target), params: { snapname: name, description: `taken by vmsync (stack ${c.stack})` } }, ctx);
        } catch (err) {
          if (!/already used/i.test(textOf(err))) throw err;
        }
      }),
    delete: (target, name, ctx: OperationContext) =>
      inContext(`delete snapshot ${name} of proxmox ${what(target)} ${target.externalId}`, async () => {
        try {
          await runTask(c.api, { method: "DELETE", path: `${base(target)}/${encodeURIComponent(name)}` }, ctx);
        } catch (err) {
          if (!/does not exist/i.test(textOf(err))) throw err;
        }
      }),
  };
}
