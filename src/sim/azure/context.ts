import type { IncomingHttpHeaders } from "node:http";
import type { SeededRandom } from "../knobs.js";
import type { Json } from "./json.js";
import type { OperationManager } from "./operations.js";
import type { AzureSimKnobs } from "./sim-knobs.js";
import type { World } from "./world.js";

/**
 * Everything a handler may use: the world, the live knobs, the seeded random source (ids, IPs,
 * faults), the public base URL (`https://127.0.0.1:PORT`, used in every poll URL and `nextLink` so
 * that clients come back here), and the long-running-operation manager.
 */
export interface SimContext {
  world: World;
  knobs: AzureSimKnobs;
  random: SeededRandom;
  baseUrl: string;
  ops: OperationManager;
}

/** A parsed ARM request as handlers see it: `body` is the parsed JSON body (if any). */
export interface ArmRequest {
  method: string;
  url: URL;
  body: Json | undefined;
  headers: IncomingHttpHeaders;
  apiVersion: string;
}

/** What a handler answers; `body` undefined means no body. Errors are thrown as `ArmError`. */
export interface ArmReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The resource an item request addresses. `id` is built from the request path (caller casing);
 * `typeName` is ARM's full type (`Microsoft.Compute/virtualMachines`, `…/virtualNetworks/subnets`).
 */
export interface ResourceRef {
  subscriptionId: string;
  resourceGroup: string;
  namespace: string;
  types: string[];
  names: string[];
  id: string;
  typeName: string;
}

/** The scope of a list request: a resource group, a parent resource (nested lists), a location, or the subscription. */
export interface ListScope {
  resourceGroup?: string;
  parent?: ResourceRef;
  location?: string;
}

/** A request handler for one item. */
export type ItemHandler = (sim: SimContext, req: ArmRequest, ref: ResourceRef) => ArmReply | Promise<ArmReply>;

/**
 * The handlers of one resource type, registered under `key` (lower-case `namespace/type[/childType…]`).
 * `apiVersionKey` names the api-version set checked for it (see api-versions.ts); `actions` are
 * `…/{name}/{action}` endpoints (POST `start`, GET `instanceView`) keyed by lower-case action name.
 */
export interface ResourceTypeHandlers {
  key: string;
  apiVersionKey: string;
  get?: ItemHandler;
  put?: ItemHandler;
  patch?: ItemHandler;
  delete?: ItemHandler;
  list?: (sim: SimContext, req: ArmRequest, scope: ListScope) => ArmReply;
  actions?: Record<string, { method: "GET" | "POST"; run: ItemHandler }>;
}
