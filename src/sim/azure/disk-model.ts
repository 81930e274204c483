import { resourceId } from "./arm-path.js";
import type { SimContext } from "./context.js";
import { seededUuid, now } from "./ids.js";
import { clone, type Json } from "./json.js";
import type { StoredResource } from "./world.js";

/** Managed disk SKUs and their tier names. */
const SKU_TIER: Record<string, string> = {
  premium_lrs: "Premium",
  premium_zrs: "Premium",
  standardssd_lrs: "Standard",
  standardssd_zrs: "Standard",
  standard_lrs: "Standard",
  premiumv2_lrs: "Premium",
  ultrassd_lrs: "Ultra",
};

/** True when `name` is a managed disk SKU the simulator knows. */
export function isDiskSku(name: unknown): name is string {
  return typeof name === "string" && SKU_TIER[name.toLowerCase()] !== undefined;
}

/** What a new managed disk is made from (a VM's OS/data disk, or a disks PUT). */
export interface NewDisk {
  resourceGroup: string;
  name: string;
  location: string;
  sku: string;
  sizeGB: number;
  creationData: Json;
  tags?: Record<string, string>;
  osType?: string;
  managedBy?: string;
  zones?: string[];
}

/**
 * Creates and stores a managed disk (`Microsoft.Compute/disks`) in its final state
 * (`provisioningState: "Succeeded"`); the caller decides whether an operation is still running on it.
 */
export function createDisk(sim: SimContext, d: NewDisk): StoredResource {
  const id = resourceId(sim.world.subscriptionId, d.resourceGroup, "Microsoft.Compute", ["disks"], [d.name]);
  const body: Json = {
    id,
    name: d.name,
    type: "Microsoft.Compute/disks",
    location: d.location,
    tags: d.tags ?? {},
    sku: { name: d.sku, tier: SKU_TIER[d.sku.toLowerCase()] ?? "Standard" },
    properties: {
      creationData: clone(d.creationData),
      diskSizeGB: d.sizeGB,
      diskSizeBytes: d.sizeGB * 1024 ** 3,
      uniqueId: seededUuid(sim.random),
      timeCreated: now(),
      provisioningState: "Succeeded",
      encryption: { type: "EncryptionAtRestWithPlatformKey" },
      networkAccessPolicy: "AllowAll",
      publicNetworkAccess: "Enabled",
    },
  };
  if (d.osType) body.properties.osType = d.osType;
  if (d.managedBy) body.managedBy = d.managedBy;
  if (d.zones) body.zones = d.zones;
  const res: StoredResource = { id, type: "Microsoft.Compute/disks", resourceGroup: d.resourceGroup, body, internal: {} };
  sim.world.put(res);
  return res;
}

/**
 * The disk's wire body with the computed `diskState`: `Unattached`, `Attached` (its VM is allocated)
 * or `Reserved` (its VM is deallocated), as Azure reports it.
 */
export function renderDisk(sim: SimContext, res: StoredResource): Json {
  const body = clone(res.body);
  const vmId = typeof body.managedBy === "string" ? body.managedBy : undefined;
  let state = "Unattached";
  if (vmId) state = sim.world.get(vmId)?.internal.power === "deallocated" ? "Reserved" : "Attached";
  body.properties.diskState = state;
  return body;
}
