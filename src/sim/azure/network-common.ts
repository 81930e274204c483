import type { ArmReply, ArmRequest, SimContext } from "./context.js";
import { seededUuid, weakEtag } from "./ids.js";
import type { Json } from "./json.js";
import { lroHeaders } from "./operation-routes.js";
import type { StoredResource } from "./world.js";

/**
 * Starts a Microsoft.Network PUT (classic `NetworkManagementClient`, api-version 2025-05-01): the
 * resource shows `provisioningState: "Updating"` until the operation ends (`Succeeded`, or `Failed`);
 * the answer is 201 (new) or 200 (existing) with the rendered body, a fresh `etag` and only
 * `Azure-AsyncOperation` — the SDK's final GET is the request URL.
 */
export function startNetworkPut(sim: SimContext, req: ArmRequest, res: StoredResource, isNew: boolean, operation: string, render: () => Json, onDone: (state: string) => void = () => {}): ArmReply {
  const props = res.body.properties as Json;
  res.body.etag = weakEtag(sim.random);
  props.resourceGuid ??= seededUuid(sim.random);
  props.provisioningState = "Updating";
  onDone("Updating");
  const op = sim.ops.start({
    operation,
    namespace: "Microsoft.Network",
    location: String(res.body.location),
    apiVersion: req.apiVersion,
    resource: res,
    complete: () => {
      props.provisioningState = "Succeeded";
      onDone("Succeeded");
    },
    fail: () => {
      props.provisioningState = "Failed";
      onDone("Failed");
    },
  });
  sim.world.touch();
  return { status: isNew ? 201 : 200, body: render(), headers: lroHeaders(sim, op, { async: true }) };
}

/**
 * Starts a Microsoft.Network DELETE: 202 with `Azure-AsyncOperation` + `Location`; the resource shows
 * `Deleting` and `complete` removes it when the operation ends.
 */
export function startNetworkDelete(sim: SimContext, req: ArmRequest, res: StoredResource, operation: string, complete: () => void): ArmReply {
  const props = res.body.properties as Json;
  props.provisioningState = "Deleting";
  const op = sim.ops.start({
    operation,
    namespace: "Microsoft.Network",
    location: String(res.body.location),
    apiVersion: req.apiVersion,
    resource: res,
    complete,
    fail: () => {
      props.provisioningState = "Failed";
    },
  });
  sim.world.touch();
  return { status: 202, headers: lroHeaders(sim, op, { async: true, location: true }) };
}

/** Parses `a.b.c.d/n` into a numeric base and size; `undefined` when not an IPv4 CIDR. */
export function parseCidr(cidr: unknown): { base: number; size: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(String(cidr));
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), size };
}

/** A numeric IPv4 address as dotted text. */
export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join(".");
}
