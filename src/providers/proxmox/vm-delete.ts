import { ProviderError, type DeleteRequest, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { guestPath, markerOf, readGuest } from "./guests.js";
import { cicustomUser, parseGuestId } from "./normalise.js";
import { removeSnippet } from "./snippets.js";
import { runTask } from "./tasks.js";
import { power } from "./vm-power.js";

/**
 * `ProviderSession.delete` for VirtualMachine and VmTemplate: done when the guest is gone already;
 * refused when the guest at that id is not the one vmsync manages (its marker names another address,
 * or it has no marker and another name — the VMID was reused); otherwise a hard stop, then
 * `DELETE` with `purge=1` (backup jobs, replication, HA) and `destroy-unreferenced-disks=1`.
 */
export async function deleteGuest(c: ProxmoxContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  const { node, vmid } = parseGuestId(req.externalId);
  const what = `delete proxmox ${req.kind === "VmTemplate" ? "template" : "vm"} ${req.address.replace(/^[^/]+\//, "")} (${req.externalId})`;
  await inContext(what, async () => {
    const g = await readGuest(c, node, vmid, op.signal);
    if (!g) return;
    const m = markerOf(g);
    const expectedName = (req.spec as { name?: unknown } | undefined)?.name;
    const ours = m ? m.stack === c.stack && m.address === req.address : expectedName !== undefined && g.config.name === expectedName;
    if (!ours) {
      throw new ProviderError(`VM ${vmid} on ${node} is not ${req.address} of stack "${c.stack}" (${m ? `it belongs to ${m.address} in stack "${m.stack}"` : "it carries no vmsync marker"}); nothing was deleted`, { code: "PROXMOX_NOT_OWNED", retryable: false });
    }
    if (g.running) await power(c, g, "stop", op);
    try {
      await runTask(c.api, { method: "DELETE", path: guestPath(g), params: { purge: 1, "destroy-unreferenced-disks": 1 } }, op);
    } catch (err) {
      const text = err instanceof ProxmoxApiError ? err.detail : err instanceof ProxmoxTaskError ? err.exitStatus : "";
      if (/does not exist/i.test(text)) return;
      throw err;
    }
    // its user-data snippet goes with it (vmsync's own `vmsync-*` files only)
    const snippet = cicustomUser(g.config.cicustom);
    if (snippet && c.snippets) await removeSnippet(c, g.node, snippet, op);
  });
}
