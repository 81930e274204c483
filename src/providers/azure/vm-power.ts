import type { OperationContext } from "../contract.js";
import type { AzurePower } from "./canonical-vm.js";
import { lro, type AzureContext } from "./context.js";
import { azureCall } from "./errors.js";

/**
 * Brings a VM from power state `current` to `desired`, each step an LRO waited for:
 * running ← start; stopped ← powerOff (from deallocated: start, then powerOff — "stopped" keeps the
 * allocation); deallocated ← deallocate. Nothing happens when they already match.
 */
export async function setPower(ctx: AzureContext, rg: string, name: string, current: AzurePower | "unknown", desired: AzurePower, op: OperationContext): Promise<void> {
  if (current === desired) return;
  const vms = ctx.clients.compute.virtualMachines;
  const start = () => azureCall(`start VM ${name}`, () => lro(ctx, op, (o) => vms.start(rg, name, o)));
  if (desired === "running") return void (await start());
  if (desired === "deallocated") return void (await azureCall(`deallocate VM ${name}`, () => lro(ctx, op, (o) => vms.deallocate(rg, name, o))));
  if (current === "deallocated") await start();
  await azureCall(`power off VM ${name}`, () => lro(ctx, op, (o) => vms.powerOff(rg, name, o)));
}
