import { ProviderError, type OperationContext, type PowerActions } from "../contract.js";
import { powerOf } from "./canonical-vm.js";
import { call, lro, type AzureContext } from "./context.js";
import { azureCall } from "./errors.js";
import { parseId } from "./ids.js";

/**
 * `vmsync restart` on Azure: reads the VM's instance view (one GET) and, when it runs, POSTs
 * `restart` (a long-running operation, waited for). A VM that is stopped or deallocated is refused,
 * never started: Azure itself answers 409 `OperationNotAllowed` for it.
 */
export function azurePower(ctx: AzureContext): PowerActions {
  return {
    async restart(target, op: OperationContext) {
      const p = parseId(target.externalId);
      if (target.kind !== "VirtualMachine" || !p) throw new ProviderError(`restart: ${target.kind} ${target.externalId} is not an Azure VM`, { code: "UNSUPPORTED", retryable: false });
      const vms = ctx.clients.compute.virtualMachines;
      const view = await azureCall(`read the instance view of VM ${p.name}`, () => vms.instanceView(p.resourceGroup, p.name, call(op)));
      const power = powerOf(view.statuses);
      if (power !== "running") throw new ProviderError(`restart VM ${p.name}: it is ${power}; restart never starts a stopped VM`, { code: "NOT_RUNNING", retryable: false });
      await azureCall(`restart VM ${p.name}`, () => lro(ctx, op, (o) => vms.restart(p.resourceGroup, p.name, o)));
    },
  };
}
