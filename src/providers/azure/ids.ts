/**
 * Azure resource ids: parsing the parts vmsync needs (subscription, resource group, provider type,
 * names) and building the ids of the objects it creates. ARM compares ids without regard to case, so
 * comparisons here lower-case both sides.
 */

/** The parts of an ARM resource id. `names` are the resource's name and those of its parents, outermost first. */
export interface ParsedId {
  subscriptionId: string;
  resourceGroup: string;
  /** `Microsoft.Compute/virtualMachines`, `Microsoft.Storage/storageAccounts/fileServices/shares`, … */
  type: string;
  names: string[];
  /** The resource's own name (last of `names`). */
  name: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{g}/providers/{NS}/{type}/{name}[/{child}/{name}…]`; undefined for anything else. */
export function parseId(id: string): ParsedId | undefined {
  const parts = id.split("/").filter((p) => p !== "");
  if (parts.length < 6 || parts[0]!.toLowerCase() !== "subscriptions" || parts[2]!.toLowerCase() !== "resourcegroups" || parts[4]!.toLowerCase() !== "providers") return undefined;
  const ns = parts[5]!;
  const rest = parts.slice(6);
  if (rest.length < 2 || rest.length % 2 !== 0) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    types.push(rest[i]!);
    names.push(rest[i + 1]!);
  }
  return { subscriptionId: parts[1]!, resourceGroup: parts[3]!, type: `${ns}/${types.join("/")}`, names, name: names[names.length - 1]! };
}

/** The resource group of an id (undefined when it has none). */
export function groupOf(id: string): string | undefined {
  const parts = id.split("/");
  const i = parts.findIndex((p) => p.toLowerCase() === "resourcegroups");
  return i >= 0 ? parts[i + 1] : undefined;
}

/** The last segment of an id: the resource's own name. */
export function nameOfId(id: string): string {
  return id.split("/").filter((p) => p !== "").pop() ?? id;
}

/** True when two ids name the same resource (ARM ids are case-insensitive). */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Builds the id of a resource in a group: `resourceId(sub, rg, "Microsoft.Network/virtualNetworks", "vnet", "subnets", "default")`. */
export function resourceId(subscriptionId: string, resourceGroup: string, type: string, ...names: string[]): string {
  const [ns, first] = type.split("/") as [string, string];
  const segs = [`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${ns}/${first}/${names[0] ?? ""}`];
  for (let i = 1; i + 1 < names.length; i += 2) segs.push(`${names[i]}/${names[i + 1]}`);
  return segs.join("/");
}

/** `{vnet, subnet}` names of a subnet id (undefined when it is not one). */
export function subnetNames(id: string | undefined): { vnet: string; subnet: string; resourceGroup: string } | undefined {
  const p = id ? parseId(id) : undefined;
  if (!p || p.type.toLowerCase() !== "microsoft.network/virtualnetworks/subnets") return undefined;
  return { vnet: p.names[0]!, subnet: p.names[1]!, resourceGroup: p.resourceGroup };
}
