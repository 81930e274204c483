import type { Json } from "./json.js";
import { POWER_SETTLES_TO, type PowerState } from "./vm-model.js";
import type { World } from "./world.js";

/**
 * Brings a loaded world to rest: operations do not survive a restart, so whatever was mid-operation
 * when the previous process stopped is treated as finished — `Creating`/`Updating` become
 * `Succeeded`, a `Deleting` resource (or group) is kept as `Succeeded` (the delete never completed and
 * can be repeated), transitional power states reach their end, and busy markers are cleared.
 */
export function settleWorld(world: World): void {
  for (const r of world.all()) {
    delete r.internal.busy;
    const props = r.body.properties as Json | undefined;
    const state = props?.provisioningState;
    if (props && (state === "Creating" || state === "Updating" || state === "Deleting")) props.provisioningState = "Succeeded";
    const power = r.internal.power as PowerState | undefined;
    if (power) r.internal.power = POWER_SETTLES_TO[power];
  }
  for (const g of world.listGroups()) if (g.properties?.provisioningState === "Deleting") g.properties.provisioningState = "Succeeded";
}
