import type { ArmReply, ArmRequest, ListScope, ResourceRef, SimContext } from "./context.js";
import { ArmError, concurrentConflict, locationChange, resourceNotFound } from "./errors.js";
import { clone, isObject, type Json } from "./json.js";
import { listPage } from "./paging.js";
import type { StoredResource } from "./world.js";

/** The resource's own (last) name. */
export function nameOf(ref: ResourceRef): string {
  return ref.names[ref.names.length - 1]!;
}

/** The stored resource or 404 `ResourceNotFound` in ARM's words. */
export function requireResource(sim: SimContext, ref: ResourceRef): StoredResource {
  const r = sim.world.get(ref.id);
  if (!r) throw resourceNotFound(ref.typeName, ref.names.join("/"), ref.resourceGroup);
  return r;
}

/** Throws 409 `Conflict` if a long-running operation is running on the resource. */
export function assertIdle(res: StoredResource): void {
  if (res.internal.busy) throw concurrentConflict(String(res.internal.busy));
}

/** The request body or 400 `InvalidRequestContent` when a PUT/PATCH came without one. */
export function requireBody(req: ArmRequest): Json {
  if (!req.body) throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: the body is empty.");
  return req.body;
}

/** `body.location` or 400 `LocationRequired`. */
export function requireLocation(body: Json): string {
  if (typeof body.location !== "string" || body.location === "") throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  return body.location;
}

/** 409 `InvalidResourceLocation` when a PUT names another location than the existing resource's. */
export function checkSameLocation(existing: StoredResource, body: Json, ref: ResourceRef): void {
  const want = typeof body.location === "string" ? body.location : undefined;
  const have = String(existing.body.location ?? "");
  if (want !== undefined && normalizeLocation(want) !== normalizeLocation(have)) {
    throw locationChange(ref.typeName, nameOf(ref), ref.resourceGroup, have, want);
  }
}

/**
 * The common start of a PUT that creates or replaces a located resource: the body (400 when
 * missing), the existing resource if any (409 while an operation runs on it; 409 when the location
 * would change), the normalised location (400 when missing) and `properties` (`{}` when absent).
 */
export function beginPut(sim: SimContext, req: ArmRequest, ref: ResourceRef): { body: Json; old: StoredResource | undefined; location: string; props: Json } {
  const body = requireBody(req);
  const old = sim.world.get(ref.id);
  if (old) {
    assertIdle(old);
    checkSameLocation(old, body, ref);
  }
  const location = normalizeLocation(requireLocation(body));
  const props: Json = isObject(body.properties) ? body.properties : {};
  return { body, old, location, props };
}

/** ARM compares locations ignoring case and spaces ("East US" = "eastus"). */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

/** `tags` from a body as a fresh object (`{}` when absent or not an object). */
export function tagsOf(body: Json): Record<string, string> {
  return isObject(body.tags) ? (clone(body.tags) as Record<string, string>) : {};
}

/** A new stored resource for `ref` with the common top-level fields set. */
export function newResource(ref: ResourceRef, location: string | undefined, body: Json, internal: Json = {}): StoredResource {
  const top: Json = { id: ref.id, name: nameOf(ref), type: ref.typeName };
  if (location !== undefined) top.location = normalizeLocation(location);
  if (location !== undefined) top.tags = tagsOf(body);
  return { id: ref.id, type: ref.typeName, resourceGroup: ref.resourceGroup, body: top, internal };
}

/**
 * A paged list of one type in the request's scope (subscription, resource group, location or
 * parent resource), each item rendered by `render`.
 */
export function listOfType(sim: SimContext, req: ArmRequest, scope: ListScope, type: string, render: (r: StoredResource) => Json): ArmReply {
  const items = sim.world.list(type, {
    ...(scope.resourceGroup !== undefined ? { resourceGroup: scope.resourceGroup } : {}),
    ...(scope.parent ? { parentId: scope.parent.id } : {}),
    ...(scope.location !== undefined ? { location: normalizeLocation(scope.location) } : {}),
  });
  return listPage(sim, req, items, (r) => r.id, render);
}

/** A resource id's last segment (its name). */
export function lastSegment(id: string): string {
  const parts = id.split("/");
  return parts[parts.length - 1] ?? id;
}
