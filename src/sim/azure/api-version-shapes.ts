import type { Json } from "./json.js";

/**
 * Properties a resource type gained at an api-version: ARM neither returns them to nor accepts them
 * from an older api-version. The specs mark them ("Minimum api-version: …" in the property's
 * description, specification/compute/resource-manager/Microsoft.Compute/…/virtualMachine.json):
 * - `properties.timeCreated` of a VM: 2021-11-01;
 * - `properties.userData` of a VM: 2021-03-01.
 * Api-versions compare as dates (`2021-03-01` < `2021-11-01`; a `-preview` suffix sorts after its date).
 */
const INTRODUCED: Record<string, Array<{ path: string[]; since: string }>> = {
  "microsoft.compute/virtualmachines": [
    { path: ["properties", "timeCreated"], since: "2021-11-01" },
    { path: ["properties", "userData"], since: "2021-03-01" },
  ],
};

/**
 * The body as the api-version `apiVersion` of `typeKey` has it: properties introduced later are left
 * out, in a resource body and in every item of a list (`value`). Other bodies are returned as they are.
 */
export function shapeFor(typeKey: string, apiVersion: string, body: Json | undefined): Json | undefined {
  const later = (INTRODUCED[typeKey] ?? []).filter((i) => apiVersion.slice(0, 10) < i.since);
  if (!later.length || !body || typeof body !== "object") return body;
  const shaped = structuredClone(body);
  const strip = (item: Json) => {
    for (const { path } of later) {
      let node: Json | undefined = item;
      for (const k of path.slice(0, -1)) node = node && typeof node === "object" ? (node[k] as Json | undefined) : undefined;
      if (node && typeof node === "object") delete node[path[path.length - 1]!];
    }
  };
  if (Array.isArray(shaped.value)) for (const item of shaped.value as Json[]) strip(item);
  else strip(shaped);
  return shaped;
}

/** The request body without properties its api-version does not have (an older client never sends them; ignore them if it does). */
export function requestFor(typeKey: string, apiVersion: string, body: Json | undefined): Json | undefined {
  return shapeFor(typeKey, apiVersion, body);
}
