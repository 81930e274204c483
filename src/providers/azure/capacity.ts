import type { Usage } from "@azure/arm-compute";
import type { CapacityPool, ObserveScope } from "../contract.js";
import type { VirtualMachineSpec } from "../../manifest/schema/index.js";
import { all, mapLimit, type AzureContext } from "./context.js";
import { azureCall } from "./errors.js";
import { quotaKey } from "./vm-families.js";

/** The regions whose quota matters: the provider's default and those desired VMs name. */
function regionsInScope(ctx: AzureContext, scope: ObserveScope): string[] {
  const out = new Set<string>();
  const def = ctx.spec.defaults?.location;
  if (def) out.add(def.toLowerCase());
  for (const r of scope.desired ?? []) {
    if (r.kind !== "VirtualMachine") continue;
    const loc = (r.spec as VirtualMachineSpec).location ?? def;
    if (loc) out.add(loc.toLowerCase());
  }
  return [...out].sort();
}

/**
 * The subscription's regional vCPU quotas: one paged `usage.list(location)` per region in scope
 * (`GET /subscriptions/{id}/providers/Microsoft.Compute/locations/{location}/usages` through the
 * compute SDK), keeping the vCPU counters — `cores` ("Total Regional vCPUs") and the per-family
 * `…Family` ones — as pools `quota/<location>/<name>` with `limit` as total and `currentValue` as used
 * (families are `minor`: a region lists dozens).
 */
export async function readAzureCapacity(ctx: AzureContext, scope: ObserveScope): Promise<CapacityPool[]> {
  const regions = regionsInScope(ctx, scope);
  const lists = await mapLimit(regions, 4, (loc) => azureCall(`list compute usages in ${loc}`, () => all<Usage>(ctx.clients.compute.usage.list(loc))));
  const out: CapacityPool[] = [];
  regions.forEach((loc, i) => {
    for (const u of lists[i]!) {
      const name = u.name?.value;
      if (!name || (name !== "cores" && !name.endsWith("Family"))) continue;
      out.push({ key: quotaKey(loc, name), label: `${u.name?.localizedValue ?? name} in ${loc}`, unit: "count", total: Number(u.limit), used: Number(u.currentValue), ...(name === "cores" ? {} : { minor: true }) });
    }
  });
  return out;
}
