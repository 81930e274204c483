import type { ResourceTypeHandlers } from "./context.js";
import { normalizeLocation } from "./resources.js";
import { findSize } from "./vm-sizes.js";

/** The compute usage name and display name of each simulated size cluster (vm-sizes.ts). */
const FAMILY: Record<string, { value: string; localizedValue: string }> = {
  B: { value: "standardBSFamily", localizedValue: "Standard BS Family vCPUs" },
  Dsv5: { value: "standardDSv5Family", localizedValue: "Standard DSv5 Family vCPUs" },
  Dasv5: { value: "standardDASv5Family", localizedValue: "Standard DASv5 Family vCPUs" },
  Ddsv5: { value: "standardDDSv5Family", localizedValue: "Standard DDSv5 Family vCPUs" },
  Esv5: { value: "standardESv5Family", localizedValue: "Standard ESv5 Family vCPUs" },
  Fsv2: { value: "standardFSv2Family", localizedValue: "Standard FSv2 Family vCPUs" },
};

/** Default limits (a fresh pay-as-you-go subscription has far less; tests set `vcpuQuota`). */
const DEFAULT_LIMITS: Record<string, number> = { cores: 100, virtualMachines: 25000, availabilitySets: 2500, virtualMachineScaleSets: 2500 };
const DEFAULT_FAMILY_LIMIT = 100;

/**
 * `GET /subscriptions/{id}/providers/Microsoft.Compute/locations/{location}/usages` (Compute "Usage -
 * List"): one page `{value: [{unit: "Count", currentValue, limit, name: {value, localizedValue}}]}`
 * with the availability sets, total regional vCPUs (`cores`), VMs, scale sets and one entry per VM
 * family. Every VM in the location counts, deallocated ones too (quota covers allocated and
 * deallocated cores). Limits come from the `vcpuQuota` knob (by usage name), else the defaults above.
 */
export const usageHandlers: ResourceTypeHandlers = {
  key: "microsoft.compute/usages",
  apiVersionKey: "microsoft.compute/virtualmachines",
  list(sim, _req, scope) {
    const location = normalizeLocation(scope.location ?? "");
    const vms = sim.world.list("Microsoft.Compute/virtualMachines", { location });
    const used = new Map<string, number>();
    let cores = 0;
    for (const vm of vms) {
      const size = findSize(String((vm.body.properties as { hardwareProfile?: { vmSize?: string } } | undefined)?.hardwareProfile?.vmSize ?? ""));
      if (!size) continue;
      cores += size.numberOfCores;
      const fam = FAMILY[size.cluster]!.value;
      used.set(fam, (used.get(fam) ?? 0) + size.numberOfCores);
    }
    const limit = (name: string) => sim.knobs.vcpuQuota[name] ?? DEFAULT_LIMITS[name] ?? DEFAULT_FAMILY_LIMIT;
    const entry = (value: string, localizedValue: string, currentValue: number) => ({ limit: limit(value), unit: "Count", currentValue, name: { value, localizedValue } });
    const value = [
      entry("availabilitySets", "Availability Sets", sim.world.list("Microsoft.Compute/availabilitySets", { location }).length),
      entry("cores", "Total Regional vCPUs", cores),
      entry("virtualMachines", "Virtual Machines", vms.length),
      entry("virtualMachineScaleSets", "Virtual Machine Scale Sets", 0),
      ...Object.values(FAMILY).map((f) => entry(f.value, f.localizedValue, used.get(f.value) ?? 0)),
    ];
    return { status: 200, body: { value } };
  },
};
