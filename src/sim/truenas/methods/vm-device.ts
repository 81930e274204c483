/**
 * `vm.device.*` (reference §4.6): the per-dtype attribute models, the version-specific entry shape
 * (top-level `dtype` on ≤24.10, `attributes.dtype` on 25.04.2+), plugin validations (zvol exists,
 * create_zvol, display password, NIC attach), create/update/delete and the choice helpers.
 */
import { CallError, ERRNO, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateDict, validateTagged, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import type { DeviceRecord } from "../world.js";
import { arity, dictArg, getInstanceMethod, intArg, queryMethod } from "./common.js";
import { createDataset, destroyDataset } from "./dataset.js";

/** Device types. */
export const DTYPES = ["CDROM", "DISK", "DISPLAY", "NIC", "PCI", "RAW", "USB"] as const;

const RESOLUTIONS = ["1920x1200", "1920x1080", "1600x1200", "1600x900", "1400x1050", "1280x1024", "1280x720", "1024x768", "800x600", "640x480"];

/** Attribute fields per dtype for this version (without `dtype`). */
export function attributeFields(p: Persona): Record<string, Fields> {
  const sector = { choices: [512, 4096], null: true, default: null } as const;
  const serial: Fields = p.pydantic ? { serial: f.str({ null: true, default: null }) } : {};
  return {
    DISK: {
      path: f.str({ null: true, default: null }),
      type: f.str({ enum: ["AHCI", "VIRTIO"], default: "AHCI" }),
      create_zvol: f.bool({ default: false }),
      zvol_name: f.str({ null: true, default: null }),
      zvol_volsize: f.int({ null: true, default: null }),
      logical_sectorsize: f.int(sector),
      physical_sectorsize: f.int(sector),
      iotype: f.str({ enum: ["NATIVE", "THREADS", "IO_URING"], default: "THREADS" }),
      ...serial,
    },
    RAW: {
      path: f.str({ required: true }),
      type: f.str({ enum: ["AHCI", "VIRTIO"], default: "AHCI" }),
      exists: f.bool({ default: false }),
      boot: f.bool({ default: false }),
      size: f.int({ null: true, default: null }),
      logical_sectorsize: f.int(sector),
      physical_sectorsize: f.int(sector),
      iotype: f.str({ enum: ["NATIVE", "THREADS", "IO_URING"], default: "THREADS" }),
      ...serial,
    },
    CDROM: { path: f.str({ required: true, pattern: p.cdromPattern }) },
    NIC: {
      trust_guest_rx_filters: f.bool({ default: false }),
      type: f.str({ enum: ["E1000", "VIRTIO"], default: "E1000" }),
      nic_attach: f.str({ null: true, default: null }),
      mac: f.str({ null: true, default: null, pattern: "^([0-9A-Fa-f]{2}[:-]?){5}([0-9A-Fa-f]{2})$" }),
    },
    DISPLAY: {
      resolution: f.str({ enum: RESOLUTIONS, default: "1024x768" }),
      port: f.int({ min: 5900, max: 65535, null: true, default: null }),
      web_port: f.int({ min: 5900, max: 65535, null: true, default: null }),
      bind: f.str({ default: "127.0.0.1" }),
      wait: f.bool({ default: false }),
      password: p.pydantic ? f.str({ null: true, default: null }) : f.str({ required: true }),
      web: f.bool({ default: true }),
      type: f.str({ enum: p.displayTypes, default: "SPICE" }),
    },
    PCI: { pptdev: f.str({ required: true }) },
    USB: {
      usb: f.dict({ null: true, default: null, fields: { vendor_id: f.str({ required: true }), product_id: f.str({ required: true }) } }),
      controller_type: f.str({ default: "nec-xhci" }),
      device: f.str({ null: true, default: null }),
    },
  };
}

function taggedMembers(p: Persona): Record<string, Fields> {
  const out: Record<string, Fields> = {};
  for (const [dtype, fields] of Object.entries(attributeFields(p))) out[dtype] = { dtype: f.str({ required: true }), ...fields };
  return out;
}

/** The wire entry of a device in this version's shape. */
export function renderDevice(p: Persona, d: DeviceRecord): Record<string, unknown> {
  if (p.dtypeInAttributes) return { id: d.id, attributes: { dtype: d.dtype, ...d.attributes }, vm: d.vm, order: d.order };
  return { id: d.id, dtype: d.dtype, attributes: { ...d.attributes }, vm: d.vm, order: d.order };
}

/** `/dev/zvol/<name>` for a zvol name (spaces become "+"). */
export function zvolPath(name: string): string {
  return `/dev/zvol/${name.replace(/ /g, "+")}`;
}

function defaultOrder(dtype: string): number {
  return dtype === "CDROM" ? 1000 : dtype === "DISK" || dtype === "RAW" ? 1001 : 1002;
}

/** Validates the whole device (schema passed) against world state; `create` zvols when asked. */
function pluginValidate(ctx: MethodCtx, dtype: string, attrs: Record<string, unknown>, vmId: number, selfId: number | null, schema: string): void {
  const w = ctx.sim.world;
  const p = ctx.sim.p;
  const v = new Verrors();
  if (!w.vms.has(vmId)) v.add(`${schema}.vm`, "No VM exists with this id.", ERRNO.ENOENT);
  if (dtype === "DISK") {
    const path = attrs.path as string | null;
    if (attrs.create_zvol) {
      if (path && p.pydantic) v.add(`${schema}.attributes`, "Value error, Path should not be provided if create_zvol is set");
      for (const a of ["zvol_name", "zvol_volsize"]) if (!attrs[a]) v.add(`attributes.${a}`, "This field is required.");
      const zname = attrs.zvol_name as string | null;
      if (zname) {
        const parent = zname.includes("/") ? zname.slice(0, zname.lastIndexOf("/")) : "";
        if (!parent || !w.datasets.has(parent)) v.add("attributes.zvol_name", `Parent dataset ${parent || zname} does not exist.`, ERRNO.ENOENT);
        else if (w.datasets.has(zname)) v.add("attributes.zvol_name", `'${zname}' already exists.`, ERRNO.EEXIST);
      }
    } else if (!path) {
      if (p.pydantic) v.add(`${schema}.attributes`, "Value error, Path must be specified if create_zvol is not set");
      else v.add("attributes.path", "Disk path is required.");
    } else if (!path.startsWith("/dev/zvol/")) {
      v.add("attributes.path", "Disk path must start with /dev/zvol/");
    } else {
      const ds = w.datasets.get(path.slice("/dev/zvol/".length).replace(/\+/g, " "));
      if (!ds || ds.type !== "VOLUME") v.add("attributes.path", "Zvol referenced by path does not exist", ERRNO.ENOENT);
    }
  } else if (dtype === "CDROM") {
    const path = String(attrs.path);
    const inPool = [...w.datasets.values()].some((d) => d.type === "FILESYSTEM" && path.startsWith(`/mnt/${d.name}/`));
    if (!inPool) v.add("attributes.path", "CDROM device path must be located inside a pool.");
  } else if (dtype === "NIC") {
    const mac = attrs.mac as string | null;
    if (mac && /^ff/i.test(mac)) v.add("attributes.mac", "MAC address must not start with 'ff'.");
    const nic = attrs.nic_attach as string | null;
    if (nic && !ctx.sim.settings.interfaces.includes(nic)) v.add("attributes.nic_attach", "Not a valid choice.");
  } else if (dtype === "DISPLAY") {
    const pw = attrs.password as string | null;
    if (!pw) v.add("attributes.password", "Password is required for display devices");
    else if (attrs.type === "VNC" && pw.length > 8) v.add("attributes.password", "Password for VNC display should not be more than 8 characters");
    for (const d of w.devicesOf(vmId)) {
      if (d.dtype === "DISPLAY" && d.id !== selfId && d.attributes.type === attrs.type) {
        v.add("attributes.type", `Only one ${String(attrs.type)} display device is supported`);
      }
    }
  }
  v.check();
}

function createZvolIfAsked(ctx: MethodCtx, attrs: Record<string, unknown>): void {
  if (!attrs.create_zvol) return;
  const name = attrs.zvol_name as string;
  createDataset(ctx, { name, type: "VOLUME", volsize: attrs.zvol_volsize, volblocksize: "16K", sparse: false });
  attrs.path = zvolPath(name);
  attrs.create_zvol = false;
  attrs.zvol_name = null;
  attrs.zvol_volsize = null;
}

/** Parses create/update input in the version's shape into `{dtype, vm, order, attributes}`. */
function parseDevice(ctx: MethodCtx, input: unknown, schema: string, current: DeviceRecord | null): { dtype: string; vm: number; order: number | null; attributes: Record<string, unknown> } {
  const p = ctx.sim.p;
  const v = new Verrors();
  const o = { pydantic: p.pydantic };
  if (p.dtypeInAttributes) {
    const fields: Fields = { attributes: f.any({ required: !current }), vm: f.int({ required: !current }), order: f.int({ null: true, default: null }) };
    const vTop = new Verrors();
    const top = validateDict(input, fields, schema, vTop, { ...o, partial: Boolean(current) });
    let attrsIn = top.attributes as Record<string, unknown> | undefined;
    if (current && attrsIn !== undefined) attrsIn = { dtype: current.dtype, ...current.attributes, ...attrsIn };
    else if (current) attrsIn = { dtype: current.dtype, ...current.attributes };
    // `attributes` is the model's first field: its errors precede the top-level ones (extras last).
    const r = attrsIn !== undefined ? validateTagged(attrsIn, "dtype", taggedMembers(p), `${schema}.attributes`, v, o) : null;
    v.errors.push(...vTop.errors);
    v.check();
    const { dtype: _d, ...attributes } = r!.value;
    return { dtype: r!.tag, vm: (top.vm as number | undefined) ?? current!.vm, order: (top.order as number | null | undefined) ?? current?.order ?? null, attributes };
  }
  const fields: Fields = { dtype: f.str({ enum: [...DTYPES], required: !current }), vm: f.int({ required: !current }), attributes: f.dict({ default: {} }), order: f.int({ null: true, default: null }) };
  const top = validateDict(input, fields, schema, v, { ...o, partial: Boolean(current) });
  v.check();
  const dtype = (top.dtype as string | undefined) ?? current!.dtype;
  const attrsIn = (top.attributes as Record<string, unknown> | undefined) ?? (current ? current.attributes : {});
  const attributes = validateDict(attrsIn, attributeFields(p)[dtype]!, "attributes", v, o);
  v.check();
  return { dtype, vm: (top.vm as number | undefined) ?? current!.vm, order: (top.order as number | null | undefined) ?? current?.order ?? null, attributes };
}

/** Registers `vm.device.*`. */
export function registerVmDevice(t: MethodTable, p: Persona): void {
  const find = (ctx: MethodCtx, id: unknown) => {
    const d = ctx.sim.world.devices.get(id as number);
    return d && renderDevice(p, d);
  };
  t.set("vm.device.query", queryMethod((ctx) => [...ctx.sim.world.devices.values()].map((d) => renderDevice(p, d))));
  t.set("vm.device.get_instance", getInstanceMethod("VMDevice", find));
  t.set("vm.device.create", {
    call: (ctx, params) => {
      arity(ctx, params, ["vm_device_create"], 1);
      const d = parseDevice(ctx, params[0], "vm_device_create", null);
      pluginValidate(ctx, d.dtype, d.attributes, d.vm, null, "vm_device_create");
      createZvolIfAsked(ctx, d.attributes);
      if (d.dtype === "NIC" && !d.attributes.mac && p.macOnCreate) d.attributes.mac = ctx.sim.randomMac();
      const rec: DeviceRecord = { id: ctx.sim.world.nextId("device"), vm: d.vm, order: d.order ?? defaultOrder(d.dtype), dtype: d.dtype, attributes: d.attributes };
      ctx.sim.world.devices.set(rec.id, rec);
      ctx.sim.world.touch();
      return renderDevice(p, rec);
    },
  });
  t.set("vm.device.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "vm_device_update"], 1);
      const id = intArg(ctx, params[0]);
      const cur = ctx.sim.world.devices.get(id);
      if (!cur) throw instanceNotFound("VMDevice", id);
      const d = parseDevice(ctx, params[1] ?? {}, "vm_device_update", cur);
      pluginValidate(ctx, d.dtype, d.attributes, d.vm, id, "vm_device_update");
      createZvolIfAsked(ctx, d.attributes);
      Object.assign(cur, { dtype: d.dtype, vm: d.vm, order: d.order ?? defaultOrder(d.dtype), attributes: d.attributes });
      ctx.sim.world.touch();
      return renderDevice(p, cur);
    },
  });
  t.set("vm.device.delete", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = intArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], p.pydantic ? "options" : "vm_device_delete", { zvol: f.bool({ default: false }), raw_file: f.bool({ default: false }), force: f.bool({ default: false }) });
      const w = ctx.sim.world;
      const d = w.devices.get(id);
      if (!d) throw instanceNotFound("VMDevice", id);
      const vm = w.vms.get(d.vm);
      if (vm && vm.state !== "STOPPED") throw new CallError("Please stop/resume associated VM before deleting VM device.");
      if (opts.zvol && d.dtype === "DISK" && typeof d.attributes.path === "string") {
        const name = d.attributes.path.slice("/dev/zvol/".length).replace(/\+/g, " ");
        if (w.datasets.has(name)) destroyDataset(ctx, name, true);
        else if (!opts.force) throw new CallError(`Failed to delete zvol ${name}: dataset does not exist`, ERRNO.ENOENT);
      }
      w.devices.delete(id);
      w.touch();
      return true;
    },
  });
  t.set("vm.device.disk_choices", {
    call: (ctx) => {
      const out: Record<string, string> = {};
      for (const d of ctx.sim.world.datasets.values()) if (d.type === "VOLUME") out[zvolPath(d.name)] = d.name;
      return out;
    },
  });
  t.set("vm.device.nic_attach_choices", { call: (ctx) => Object.fromEntries(ctx.sim.settings.interfaces.map((i) => [i, i])) });
  t.set("vm.device.bind_choices", { call: () => ({ "0.0.0.0": "0.0.0.0", "127.0.0.1": "127.0.0.1", "::": "::" }) });
}
