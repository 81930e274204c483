/**
 * `vm.device.*` payloads in the server's dialect (24.10: top-level `dtype`; 25.x: `attributes.dtype`)
 * and the device operations vmsync performs. Updates always send the complete attribute set
 * (current merged with the change), because 24.10 replaces `attributes` wholesale while 25.x merges.
 */
import type { SessionContext } from "./context.js";
import { isNotFound } from "./errors.js";
import type { Device } from "./vm-observe.js";

/** Fixed boot order slots: CD-ROM first, then disks in manifest order, then NICs, then the display. */
export const ORDER = { cdrom: 1000, disk: 1001, nic: 2001, display: 3000 } as const;

function shaped(ctx: SessionContext, dtype: string, attributes: Record<string, unknown>): Record<string, unknown> {
  return ctx.dialect.dtypeInAttributes ? { attributes: { dtype, ...attributes } } : { dtype, attributes };
}

/** Creates a device on VM `vm`. */
export async function createDevice(ctx: SessionContext, vm: number, dtype: string, attributes: Record<string, unknown>, order: number): Promise<void> {
  await ctx.client.call("vm.device.create", [{ vm, order, ...shaped(ctx, dtype, attributes) }]);
}

/** Updates a device: `change` merged over its current attributes. */
export async function updateDevice(ctx: SessionContext, d: Device, change: Record<string, unknown>, order?: number): Promise<void> {
  await ctx.client.call("vm.device.update", [d.id, { ...(order !== undefined ? { order } : {}), ...shaped(ctx, d.dtype, { ...d.attributes, ...change }) }]);
}

/** Deletes a device (with its zvol when `zvol`); already gone is fine. */
export async function deleteDevice(ctx: SessionContext, d: Device, zvol: boolean): Promise<void> {
  try {
    await ctx.client.call("vm.device.delete", [d.id, { zvol, raw_file: false, force: false }]);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
