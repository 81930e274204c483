import { resourceGroupId } from "./arm-path.js";
import type { ArmReply, ArmRequest, SimContext } from "./context.js";
import { ArmError, resourceGroupNotFound } from "./errors.js";
import { clone, isObject, type Json } from "./json.js";
import { lroHeaders } from "./operation-routes.js";
import { listPage } from "./paging.js";

/**
 * Resource groups (`Microsoft.Resources/resourceGroups`, classic `ResourceManagementClient`):
 * PUT is synchronous (201 new / 200 existing), GET / HEAD (`checkExistence`: 204 or 404), PATCH tags,
 * list with paging, and DELETE as a long-running operation answered 202 with only a `Location`
 * monitor (`/subscriptions/{sub}/operationresults/{id}`: 202 while running, then 200) that removes the
 * group and everything in it. While deleting, the group reports `provisioningState: "Deleting"` and
 * refuses PUT with 409 `ResourceGroupBeingDeleted`.
 */
export const resourceGroupHandlers = {
  apiVersionKey: "microsoft.resources/resourcegroups",
  route(sim: SimContext, req: ArmRequest, name: string | undefined): ArmReply {
    if (name === undefined) {
      if (req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`);
      const groups = sim.world.listGroups();
      return listPage(sim, req, groups, (g) => String(g.name), (g) => clone(g));
    }
    switch (req.method) {
      case "GET":
        return { status: 200, body: clone(existing(sim, name)) };
      case "HEAD":
        return { status: sim.world.group(name) ? 204 : 404 };
      case "PUT":
        return put(sim, req, name);
      case "PATCH":
        return patch(sim, req, name);
      case "DELETE":
        return remove(sim, req, name);
      default:
        throw new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`);
    }
  },
};

function existing(sim: SimContext, name: string): Json {
  const g = sim.world.group(name);
  if (!g) throw resourceGroupNotFound(name);
  return g;
}

function put(sim: SimContext, req: ArmRequest, name: string): ArmReply {
  const body = req.body ?? {};
  const location = typeof body.location === "string" ? body.location : undefined;
  if (!location) throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith(".")) {
    throw new ArmError(400, "InvalidResourceGroup", `The provided resource group name '${name}' has these invalid characters. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`);
  }
  const old = sim.world.group(name);
  if (old) {
    if (old.properties?.provisioningState === "Deleting") {
      throw new ArmError(409, "ResourceGroupBeingDeleted", `The resource group '${String(old.name)}' is in deprovisioning state and cannot perform this operation.`);
    }
    if (String(old.location).toLowerCase() !== location.toLowerCase()) {
      throw new ArmError(409, "InvalidResourceGroupLocation", `Invalid resource group location '${location}'. The Resource group already exists in location '${String(old.location)}'.`);
    }
    old.tags = isObject(body.tags) ? clone(body.tags) : {};
    if (typeof body.managedBy === "string") old.managedBy = body.managedBy;
    sim.world.touch();
    return { status: 200, body: clone(old) };
  }
  const group: Json = {
    id: resourceGroupId(sim.world.subscriptionId, name),
    name,
    type: "Microsoft.Resources/resourceGroups",
    location,
    tags: isObject(body.tags) ? clone(body.tags) : {},
    properties: { provisioningState: "Succeeded" },
  };
  if (typeof body.managedBy === "string") group.managedBy = body.managedBy;
  sim.world.putGroup(group);
  return { status: 201, body: clone(group) };
}

function patch(sim: SimContext, req: ArmRequest, name: string): ArmReply {
  const g = existing(sim, name);
  if (isObject(req.body?.tags)) g.tags = clone(req.body.tags);
  sim.world.touch();
  return { status: 200, body: clone(g) };
}

function remove(sim: SimContext, req: ArmRequest, name: string): ArmReply {
  const g = existing(sim, name);
  const state = g.properties as Json;
  if (state.provisioningState === "Deleting") throw new ArmError(409, "ResourceGroupBeingDeleted", `The resource group '${String(g.name)}' is in deprovisioning state and cannot perform this operation.`);
  state.provisioningState = "Deleting";
  sim.world.touch();
  const op = sim.ops.start({
    operation: "resourceGroups.delete",
    namespace: "Microsoft.Resources",
    location: String(g.location),
    apiVersion: req.apiVersion,
    complete: () => sim.world.deleteGroup(name),
    fail: () => {
      state.provisioningState = "Succeeded";
    },
  });
  return { status: 202, headers: lroHeaders(sim, op, { location: true }) };
}
