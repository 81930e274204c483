import { ProviderError, type DeleteRequest, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { parseGuestId } from "./normalise.js";
import { ctMarkerOf, ctPath, readContainer } from "./lxc-guests.js";
import { runTask } from "./tasks.js";

/**
 * `ProviderSession.delete` for a Container: done when it is gone already; refused when the
 * container at that id is not the one vmsync manages (its marker names another address, or it has
 * none and another host name — the VMID was reused); otherwise `DELETE` with `force=1` (pve-container
 * stops a running container itself), `purge=1` (backup jobs, replication, HA) and
 * `destroy-unreferenced-disks=1`. Volumes are freed; bind-mounted directories are host paths and stay.
 */
export async function deleteContainer(c: ProxmoxContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  const { node, vmid } = parseGuestId(req.externalId);
  await inContext(`delete proxmox container ${req.address.replace(/^[^/]+\//, "")} (${req.externalId})`, async () => {
    const v = await readContainer(c, node, vmid, op.signal);
    if (!v) return;
    const m = ctMarkerOf(v);
    const expected = (req.spec as { hostname?: unknown } | undefined)?.hostname;
    const ours = m ? m.stack === c.stack && m.address === req.address : expected !== undefined && v.config.hostname === expected;
    if (!ours) {
      throw new ProviderError(`CT ${vmid} on ${node} is not ${req.address} of stack "${c.stack}" (${m ? `it belongs to ${m.address} in stack "${m.stack}"` : "it carries no vmsync marker"}); nothing was deleted`, { code: "PROXMOX_NOT_OWNED", retryable: false });
    }
    try {
      await runTask(c.api, { method: "DELETE", path: ctPath(v), params: { force: 1, purge: 1, "destroy-unreferenced-disks": 1 } }, op);
    } catch (err) {
      const text = err instanceof ProxmoxApiError ? err.detail : err instanceof ProxmoxTaskError ? err.exitStatus : "";
      if (/does not exist/i.test(text)) return;
      throw err;
    }
  });
}
