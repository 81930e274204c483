import type { ArmReply, ArmRequest, ItemHandler, ResourceRef, SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import { lroHeaders } from "./operation-routes.js";
import { assertIdle, nameOf, requireResource } from "./resources.js";
import { instanceView, isDeallocated, powerOf, type PowerState } from "./vm-model.js";
import { availableSizes } from "./vm-sizes.js";

/**
 * Starts a power operation: the VM shows `transitional` until the operation ends, then `final`
 * (or its previous state if the operation fails). Answer: 202, no body, `Azure-AsyncOperation` +
 * `Location`; the monitor's final 200 has no body (the modular SDK's final GET goes there).
 */
function power(action: string, transitional: (p: PowerState) => PowerState, final: (p: PowerState) => PowerState, guard?: (p: PowerState, name: string) => void): ItemHandler {
  return (sim: SimContext, req: ArmRequest, ref: ResourceRef): ArmReply => {
    const vm = requireResource(sim, ref);
    assertIdle(vm);
    const before = powerOf(vm);
    guard?.(before, nameOf(ref));
    vm.internal.power = transitional(before);
    const op = sim.ops.start({
      operation: `virtualMachines.${action}`,
      namespace: "Microsoft.Compute",
      location: String(vm.body.location),
      apiVersion: req.apiVersion,
      resource: vm,
      complete: () => {
        vm.internal.power = final(before);
        if (vm.internal.power === "running") vm.internal.startedAt = Date.now(); // a new boot of the guest
      },
      fail: () => {
        vm.internal.power = before;
      },
    });
    sim.world.touch();
    return { status: 202, headers: lroHeaders(sim, op, { async: true, location: true }) };
  };
}

const isOff = (p: PowerState): boolean => p === "deallocated" || p === "deallocating";

/**
 * VM actions: POST `start` (→ running), `powerOff` (→ stopped, still billed; a deallocated VM stays
 * deallocated; `skipShutdown` accepted), `deallocate` (→ deallocated), `restart` (only when running,
 * else 409 `OperationNotAllowed` — the reference believes this matches Azure, unverified); GET
 * `instanceView` (the view itself) and GET `vmSizes` (the sizes the VM can be resized to now: its
 * hardware cluster's while allocated, all when deallocated).
 */
export const vmActions: Record<string, { method: "GET" | "POST"; run: ItemHandler }> = {
  start: { method: "POST", run: power("start", () => "starting", () => "running") },
  poweroff: { method: "POST", run: power("powerOff", (p) => (isOff(p) ? "deallocated" : "stopping"), (p) => (isOff(p) ? "deallocated" : "stopped")) },
  deallocate: { method: "POST", run: power("deallocate", () => "deallocating", () => "deallocated") },
  restart: {
    method: "POST",
    run: power("restart", () => "starting", () => "running", (p, name) => {
      if (p !== "running") throw new ArmError(409, "OperationNotAllowed", `Operation 'restart' is not allowed on VM '${name}' since the VM is not running. Please start the VM first.`);
    }),
  },
  instanceview: {
    method: "GET",
    run: (sim, _req, ref) => ({ status: 200, body: instanceView(requireResource(sim, ref)) }),
  },
  vmsizes: {
    method: "GET",
    run: (sim, _req, ref) => {
      const vm = requireResource(sim, ref);
      const sizes = availableSizes(String(vm.body.properties.hardwareProfile?.vmSize), isDeallocated(vm));
      return { status: 200, body: { value: sizes.map(({ cluster: _c, ...s }) => s) } };
    },
  },
};
