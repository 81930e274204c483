import type { SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import type { FaultInjector } from "./faults.js";
import { isObject, type Json } from "./json.js";
import type { ArmReply } from "./context.js";
import type { AzureSimKnobs, FaultRule } from "./sim-knobs.js";

/**
 * The simulator's own admin endpoints under `/_sim/` (bearer token required, like ARM):
 * - `GET /_sim/health` → `{ok, subscriptionId, resources}`;
 * - `GET /_sim/knobs`, `PATCH /_sim/knobs` (partial `AzureSimKnobs`) → the knobs now in force;
 * - `POST /_sim/faults` (a `FaultRule`) queues a deterministic fault, `DELETE /_sim/faults` clears them;
 * - `POST /_sim/settle` finishes every running long-running operation now.
 * Drift is not made here: change things through the normal ARM API.
 */
export function handleAdmin(sim: SimContext, faults: FaultInjector, setKnobs: (k: Partial<AzureSimKnobs>) => void, method: string, path: string, body: Json | undefined): ArmReply {
  const route = `${method} ${path.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_sim/health": {
      let resources = 0;
      for (const _ of sim.world.all()) resources++;
      return { status: 200, body: { ok: true, subscriptionId: sim.world.subscriptionId, resourceGroups: sim.world.listGroups().length, resources } };
    }
    case "GET /_sim/knobs":
      return { status: 200, body: sim.knobs };
    case "PATCH /_sim/knobs":
    case "POST /_sim/knobs":
      if (!isObject(body)) throw new ArmError(400, "InvalidRequestContent", "Expected a JSON object of knobs.");
      setKnobs(body as Partial<AzureSimKnobs>);
      return { status: 200, body: sim.knobs };
    case "POST /_sim/faults":
      if (!isObject(body) || typeof body.status !== "number") throw new ArmError(400, "InvalidRequestContent", "Expected a fault rule {status, count?, method?, pathContains?}.");
      faults.add(body as FaultRule);
      return { status: 204 };
    case "DELETE /_sim/faults":
      faults.clear();
      return { status: 204 };
    case "POST /_sim/settle":
      sim.ops.settleAll();
      return { status: 204 };
    default:
      throw new ArmError(404, "NotFound", `No admin endpoint ${route}.`);
  }
}
