/**
 * A request path split into ARM's parts. ARM matches the fixed segments (`subscriptions`,
 * `resourceGroups`, `providers`) without regard to case; names keep the caller's casing.
 *
 * - `resourceGroups`: `/subscriptions/{sub}/resourcegroups[/{rg}]`
 * - `operation`: `/subscriptions/{sub}/providers/{ns}/locations/{loc}/(operations|asyncoperations)/{id}`
 *   or `/subscriptions/{sub}/operationresults/{id}` (poll and monitor URLs the simulator hands out)
 * - `provider`: `/subscriptions/{sub}[/resourceGroups/{rg}]/providers/{ns}/{type}[/{name}[/{type}/{name}…]][/{action}]`,
 *   with `types`/`names` the alternating segments after the namespace (`types.length` is
 *   `names.length` for an item, one more for a collection or an action)
 */
export type ArmPath =
  | { kind: "resourceGroups"; subscriptionId: string; resourceGroup?: string }
  | { kind: "operation"; subscriptionId: string; namespace: string; location: string; operationId: string; monitor: boolean }
  | { kind: "provider"; subscriptionId: string; resourceGroup?: string; namespace: string; types: string[]; names: string[]; location?: string }
  | { kind: "unknown"; subscriptionId?: string };

/** Parses a URL pathname (already without the query) into an `ArmPath`. */
export function parseArmPath(pathname: string): ArmPath {
  const seg = pathname.split("/").filter((s) => s.length > 0).map(decodeURIComponent);
  const lower = seg.map((s) => s.toLowerCase());
  if (lower[0] !== "subscriptions" || seg[1] === undefined) return { kind: "unknown" };
  const subscriptionId = seg[1];
  if (lower[2] === "resourcegroups") {
    if (seg.length <= 4) return { kind: "resourceGroups", subscriptionId, ...(seg[3] !== undefined ? { resourceGroup: seg[3] } : {}) };
    if (lower[4] === "providers" && seg[5] !== undefined && seg.length > 6) {
      return { kind: "provider", subscriptionId, resourceGroup: seg[3]!, namespace: seg[5], ...split(seg.slice(6)) };
    }
    return { kind: "unknown", subscriptionId };
  }
  if (lower[2] === "operationresults" && seg[3] !== undefined && seg.length === 4) {
    return { kind: "operation", subscriptionId, namespace: "Microsoft.Resources", location: "global", operationId: seg[3], monitor: true };
  }
  if (lower[2] === "providers" && seg[3] !== undefined && seg.length > 4) {
    const namespace = seg[3];
    if (lower[4] === "locations" && seg[5] !== undefined && seg.length === 8 && (lower[6] === "operations" || lower[6] === "asyncoperations")) {
      return { kind: "operation", subscriptionId, namespace, location: seg[5], operationId: seg[7]!, monitor: lower[6] === "asyncoperations" };
    }
    if (lower[4] === "locations" && seg[5] !== undefined && seg.length === 7) {
      return { kind: "provider", subscriptionId, namespace, location: seg[5], ...split(seg.slice(6)) };
    }
    return { kind: "provider", subscriptionId, namespace, ...split(seg.slice(4)) };
  }
  return { kind: "unknown", subscriptionId };
}

function split(rest: string[]): { types: string[]; names: string[] } {
  const types: string[] = [];
  const names: string[] = [];
  rest.forEach((s, i) => (i % 2 === 0 ? types : names).push(s));
  return { types, names };
}

/**
 * The canonical resource id for a provider path item: `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{t1}/{n1}…`.
 * Fixed segments are written in ARM's canonical casing; names keep the caller's.
 */
export function resourceId(subscriptionId: string, resourceGroup: string, namespace: string, types: string[], names: string[]): string {
  let id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${namespace}`;
  types.forEach((t, i) => {
    id += `/${t}`;
    if (names[i] !== undefined) id += `/${names[i]}`;
  });
  return id;
}

/** The id of a resource group. */
export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

