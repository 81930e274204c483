import { ProviderError, type OperationContext, type SnapshotActions } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { parseGuestId } from "./normalise.js";
import { runTask } from "./tasks.js";
import { isRunning } from "./vm-power.js";

const TAKEN_BY = "taken by vmsync (stack ";

/** The description vmsync gives its snapshots: it names the stack (the snapshot's ownership marker). */
export function snapshotDescription(stack: string): string {
  return `${TAKEN_BY}${stack})`;
}

/** The stack named by a snapshot description vmsync wrote, if it is one. */
export function stackOfSnapshot(description: string | undefined): string | undefined {
  const d = description ?? "";
  return d.startsWith(TAKEN_BY) && d.endsWith(")") ? d.slice(TAKEN_BY.length, -1) : undefined;
}

/**
 * Snapshots of a VM or a container (target external id `node/vmid`; containers under `/lxc/`, same
 * API), taken and pruned by vmsync (PVE has no
 * snapshot schedules). `list` leaves out PVE's `current` pseudo entry and sorts by time; `create`
 * with a name that exists already and `delete` of one that is gone count as done. `rollback` is a
 * `qmrollback` task: PVE stops a running guest first, so vmsync asks it to start the guest again
 * (`start=1`) when it was running.
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
        const items = await c.api.get<Array<{ name: string; snaptime?: number; description?: string }>>(base(target));
        return items
          .filter((s) => s.name !== "current")
          .sort((a, b) => (a.snaptime ?? 0) - (b.snaptime ?? 0) || a.name.localeCompare(b.name))
          .map((s) => {
            const stack = stackOfSnapshot(s.description);
            return { name: s.name, createdAt: new Date((s.snaptime ?? 0) * 1000).toISOString(), ...(stack ? { stack } : {}) };
          });
      }),
    create: (target, name, ctx: OperationContext) =>
      inContext(`snapshot proxmox ${what(target)} ${target.externalId} as ${name}`, async () => {
        try {
          await runTask(c.api, { method: "POST", path: base(target), params: { snapname: name, description: snapshotDescription(c.stack) } }, ctx);
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
    rollback: (target, name, ctx: OperationContext) =>
      inContext(`roll proxmox ${what(target)} ${target.externalId} back to snapshot ${name}`, async () => {
        const running = await isRunning(c, parseGuestId(target.externalId), ctx, target.kind);
        await runTask(c.api, { method: "POST", path: `${base(target)}/${encodeURIComponent(name)}/rollback`, params: running ? { start: 1 } : {} }, ctx);
      }),
  };
}
