import type { IncomingHttpHeaders } from "node:http";
import { requestFor, shapeFor } from "./api-version-shapes.js";
import { checkApiVersion } from "./api-versions.js";
import { parseArmPath, resourceId } from "./arm-path.js";
import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, resourceGroupNotFound } from "./errors.js";
import type { Json } from "./json.js";
import { answerOperationPoll } from "./operation-routes.js";
import { resourceGroupHandlers } from "./resource-groups.js";

/** The raw request the router receives from the server. */
export interface RawRequest {
  method: string;
  url: URL;
  body: Json | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Maps ARM paths to the registered resource-type handlers: checks the subscription, the
 * api-version (per type), the resource group's existence for group-scoped paths, and then calls the
 * item handler for the method, the list handler for a collection, or an action (`…/{name}/start`).
 */
export class Router {
  private readonly types = new Map<string, ResourceTypeHandlers>();

  /** Registers the handlers of one resource type under `handlers.key`. */
  register(handlers: ResourceTypeHandlers): void {
    this.types.set(handlers.key, handlers);
  }

  /** Routes one authenticated request; throws `ArmError` for every ARM-level failure. */
  async dispatch(sim: SimContext, raw: RawRequest): Promise<ArmReply> {
    const path = parseArmPath(raw.url.pathname);
    const version = raw.url.searchParams.get("api-version");
    if (path.kind === "unknown") {
      checkApiVersion(version, undefined);
      throw new ArmError(404, "NotFound", `No HTTP resource was found that matches the request URI '${raw.url.pathname}'.`);
    }
    if (path.subscriptionId?.toLowerCase() !== sim.world.subscriptionId.toLowerCase()) {
      checkApiVersion(version, undefined);
      throw new ArmError(404, "SubscriptionNotFound", `The subscription '${path.subscriptionId ?? ""}' could not be found.`);
    }
    if (path.kind === "operation") {
      checkApiVersion(version, undefined);
      if (raw.method !== "GET") throw methodNotAllowed(raw.method);
      return answerOperationPoll(sim, path.operationId, path.monitor || raw.url.searchParams.get("monitor") === "true");
    }
    if (path.kind === "resourceGroups") {
      const req: ArmRequest = { ...raw, apiVersion: checkApiVersion(version, resourceGroupHandlers.apiVersionKey) };
      return resourceGroupHandlers.route(sim, req, path.resourceGroup);
    }
    const ns = path.namespace;
    const isItem = path.names.length === path.types.length;
    const collectionKey = `${ns}/${path.types.join("/")}`.toLowerCase();
    const itemKey = `${ns}/${path.types.slice(0, isItem ? undefined : -1).join("/")}`.toLowerCase();
    const collection = isItem ? undefined : this.types.get(collectionKey);
    const handlers = collection ?? this.types.get(itemKey);
    if (!handlers) {
      checkApiVersion(version, undefined);
      throw new ArmError(404, "InvalidResourceType", `The resource type '${path.types.join("/")}' could not be found in the namespace '${ns}' for api version '${version ?? ""}'.`);
    }
    const apiVersion = checkApiVersion(version, handlers.apiVersionKey, path.location, path.types.slice(0, handlers.apiVersionKey.split("/").length - 1).join("/"));
    const req: ArmRequest = { ...raw, apiVersion, ...(raw.body !== undefined ? { body: requestFor(handlers.apiVersionKey, apiVersion, raw.body) } : {}) };
    const reply = await this.dispatchType(sim, req, path, handlers, collection);
    return { ...reply, ...(reply.body !== undefined ? { body: shapeFor(handlers.apiVersionKey, apiVersion, reply.body as Json) } : {}) };
  }

  private async dispatchType(sim: SimContext, req: ArmRequest, path: Extract<ReturnType<typeof parseArmPath>, { kind: "provider" }>, handlers: ResourceTypeHandlers, collection: ResourceTypeHandlers | undefined): Promise<ArmReply> {
    const raw = req;
    const ns = path.namespace;
    const isItem = path.names.length === path.types.length;
    if (path.resourceGroup !== undefined && !sim.world.group(path.resourceGroup)) throw resourceGroupNotFound(path.resourceGroup);
    if (collection) {
      if (raw.method !== "GET" || !collection.list) throw methodNotAllowed(raw.method);
      const parent = path.resourceGroup !== undefined && path.names.length > 0 ? this.ref(path.subscriptionId, path.resourceGroup, ns, path.types.slice(0, -1), path.names) : undefined;
      return collection.list(sim, req, {
        ...(path.resourceGroup !== undefined ? { resourceGroup: path.resourceGroup } : {}),
        ...(parent ? { parent } : {}),
        ...(path.location !== undefined ? { location: path.location } : {}),
      });
    }
    if (path.resourceGroup === undefined) throw new ArmError(404, "InvalidResourceType", `The resource type '${path.types.join("/")}' is not supported at subscription scope.`);
    if (isItem) {
      const ref = this.ref(path.subscriptionId, path.resourceGroup, ns, path.types, path.names);
      const fn = raw.method === "GET" || raw.method === "HEAD" ? handlers.get : raw.method === "PUT" ? handlers.put : raw.method === "PATCH" ? handlers.patch : raw.method === "DELETE" ? handlers.delete : undefined;
      if (!fn) throw methodNotAllowed(raw.method);
      return fn(sim, req, ref);
    }
    const action = handlers.actions?.[path.types[path.types.length - 1]!.toLowerCase()];
    if (!action) throw new ArmError(404, "InvalidResourceType", `The resource type '${path.types.join("/")}' could not be found in the namespace '${ns}'.`);
    if (action.method !== raw.method) throw methodNotAllowed(raw.method);
    return action.run(sim, req, this.ref(path.subscriptionId, path.resourceGroup, ns, path.types.slice(0, -1), path.names));
  }

  private ref(subscriptionId: string, resourceGroup: string, namespace: string, types: string[], names: string[]): ResourceRef {
    return {
      subscriptionId,
      resourceGroup,
      namespace,
      types,
      names,
      id: resourceId(subscriptionId, resourceGroup, namespace, types, names),
      typeName: `${namespace}/${types.join("/")}`,
    };
  }
}

function methodNotAllowed(method: string): ArmError {
  return new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`);
}
