/**
 * `vm.*` (reference §4.2–4.5): query/get_instance with devices and status, create/update with the
 * model and plugin validations of each version, delete (powering off, optionally destroying DISK
 * zvols), start/stop(job)/poweroff/restart(job)/suspend/resume/status and helpers.
 */
import { wantedValues } from "../filters.js";
import { CallError, ERRNO, instanceNotFound, Verrors } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f, validateDict, type Fields } from "../schema.js";
import type { Persona } from "../versions.js";
import type { VmRecord } from "../world.js";
import { arity, dictArg, getInstanceMethod, intArg, queryMethod } from "./common.js";
import { destroyDataset } from "./dataset.js";
import { renderDevice } from "./vm-device.js";

/** VM config fields in model order, for this version. */
export function vmFields(p: Persona): Fields {
  const fields: Fields = {
    command_line_args: f.str({ default: "" }),
    cpu_mode: f.str({ enum: ["CUSTOM", "HOST-MODEL", "HOST-PASSTHROUGH"], default: "CUSTOM" }),
    cpu_model: f.str({ null: true, default: null }),
    name: f.str({ required: true }),
    description: f.str({ default: "" }),
    vcpus: f.int({ min: 1, default: 1 }),
    cores: f.int({ min: 1, default: 1 }),
    threads: f.int({ min: 1, default: 1 }),
    cpuset: f.str({ null: true, default: null }),
    nodeset: f.str({ null: true, default: null }),
    enable_cpu_topology_extension: f.bool({ default: false }),
    pin_vcpus: f.bool({ default: false }),
    suspend_on_snapshot: f.bool({ default: false }),
    trusted_platform_module: f.bool({ default: false }),
    memory: f.int({ min: 20, required: true }),
    min_memory: f.int({ min: 20, null: true, default: null }),
    hyperv_enlightenments: f.bool({ default: false }),
    bootloader: f.str({ enum: ["UEFI_CSM", "UEFI"], default: "UEFI" }),
    bootloader_ovmf: p.line === "25.10" ? f.str({ null: true, default: null }) : f.str({ default: "OVMF_CODE.fd" }),
    autostart: f.bool({ default: true }),
    hide_from_msr: f.bool({ default: false }),
    ensure_display_device: f.bool({ default: true }),
    time: f.str({ enum: ["LOCAL", "UTC"], default: "LOCAL" }),
    shutdown_timeout: f.int({ min: 5, max: 300, default: 90 }),
    arch_type: f.str({ null: true, default: null }),
    machine_type: f.str({ null: true, default: null }),
    uuid: f.str({ null: true, default: null }),
  };
  if (p.secureBoot) fields.enable_secure_boot = f.bool({ default: false });
  return fields;
}

function updateFields(p: Persona): Fields {
  const fields = vmFields(p);
  if (p.vmUpdateExcludesOvmf) {
    delete fields.bootloader_ovmf;
    delete fields.enable_secure_boot;
  }
  return fields;
}

const NAME_RE = /^[a-zA-Z_0-9]+$/;
const OVMF = ["OVMF_CODE.fd", "OVMF_CODE_4M.fd", "OVMF_CODE_4M.secboot.fd", "OVMF_CODE.secboot.fd"];

/** The `status` object of a VM. */
export function vmStatus(vm: VmRecord): Record<string, unknown> {
  const domain = vm.state === "RUNNING" ? "RUNNING" : vm.state === "SUSPENDED" ? "PAUSED" : "SHUTOFF";
  return { state: vm.state, pid: vm.state === "STOPPED" ? null : vm.pid, domain_state: domain };
}

/** The wire entry of a VM for this version (devices in the version's shape). */
export function renderVm(ctx: MethodCtx, vm: VmRecord, devices = ctx.sim.world.devicesOf(vm.id)): Record<string, unknown> {
  const devs = devices.map((d) => renderDevice(ctx.sim.p, d));
  return {
    id: vm.id,
    ...vm.fields,
    devices: devs,
    display_available: devices.some((d) => d.dtype === "DISPLAY"),
    status: vmStatus(vm),
  };
}

/** Looks a VM up or throws InstanceNotFound "VM <id> does not exist". */
export function getVm(ctx: MethodCtx, id: number): VmRecord {
  const vm = ctx.sim.world.vms.get(id);
  if (!vm) throw instanceNotFound("VM", id);
  return vm;
}

function plugin(ctx: MethodCtx, data: Record<string, unknown>, schema: string, old: VmRecord | null): void {
  const v = new Verrors();
  const name = data.name as string;
  if (!NAME_RE.test(name)) v.add(`${schema}.name`, "Only alphanumeric characters are allowed.");
  for (const other of ctx.sim.world.vms.values()) {
    if (other.fields.name === name && other.id !== old?.id) v.add(`${schema}.name`, "This name already exists.", ERRNO.EEXIST);
  }
  const min = data.min_memory as number | null;
  if (min !== null && min !== undefined && min > (data.memory as number)) {
    v.add(`${schema}.min_memory`, "Minimum memory should not be greater than defined/maximum memory");
  }
  const vcpus = (data.vcpus as number) * (data.cores as number) * (data.threads as number);
  if (vcpus > 255) v.add(`${schema}.vcpus`, "Maximum 255 vcpus are supported. Please ensure the product of \"vcpus\", \"cores\" and \"threads\" does not exceed 255.");
  if (data.cpu_model && data.cpu_mode !== "CUSTOM") v.add(`${schema}.cpu_model`, 'This attribute should not be specified when "cpu_mode" is not "CUSTOM".');
  if (data.pin_vcpus && !data.cpuset) v.add(`${schema}.cpuset`, `Must be specified when "pin_vcpus" is set.`);
  if (typeof data.bootloader_ovmf === "string" && !OVMF.includes(data.bootloader_ovmf)) v.add(`${schema}.bootloader_ovmf`, "Invalid bootloader ovmf choice specified");
  if (data.enable_secure_boot && !String(data.bootloader_ovmf ?? "").includes("secboot")) {
    v.add(`${schema}.enable_secure_boot`, "Select a bootloader_ovmf that supports secure boot i.e OVMF_CODE_4M.secboot.fd");
  }
  v.check();
}

function finishDefaults(ctx: MethodCtx, data: Record<string, unknown>): void {
  if (data.uuid === null || data.uuid === undefined) data.uuid = ctx.sim.randomUuid();
  if (ctx.sim.p.line === "25.10" && data.bootloader_ovmf === null) {
    data.bootloader_ovmf = data.enable_secure_boot ? "OVMF_CODE_4M.secboot.fd" : "OVMF_CODE_4M.fd";
  }
}

function usedMemoryMiB(ctx: MethodCtx): number {
  let used = 0;
  for (const vm of ctx.sim.world.vms.values()) if (vm.state !== "STOPPED") used += vm.fields.memory as number;
  return used;
}

function notActive(vm: VmRecord): CallError {
  return new CallError(`${vm.id}_${String(vm.fields.name)} domain is not active`);
}

/** Powers a VM on (shared by `vm.start` and `vm.restart`). */
function start(ctx: MethodCtx, vm: VmRecord, overcommit: boolean): void {
  const name = String(vm.fields.name);
  if (vm.state === "RUNNING") throw new CallError(`'${name}' is already running`);
  if (vm.state === "SUSPENDED") throw new CallError(`'${name}' VM is suspended and can only be resumed/powered off`);
  if (!overcommit && usedMemoryMiB(ctx) + (vm.fields.memory as number) > ctx.sim.settings.hostMemoryMiB) {
    throw new CallError(`Cannot guarantee memory for guest ${name}`, ERRNO.ENOMEM);
  }
  vm.state = "RUNNING";
  vm.pid = 1000 + ctx.sim.idRng.int(60000);
  ctx.sim.world.touch();
}

function stopOptions(ctx: MethodCtx, params: unknown[]): Record<string, unknown> {
  return dictArg(ctx, params[1], "options", { force: f.bool({ default: false }), force_after_timeout: f.bool({ default: false }) });
}

/** Registers `vm.*` (not `vm.device.*`). */
export function registerVm(t: MethodTable, p: Persona): void {
  t.set(
    "vm.query",
    queryMethod((ctx, _extra, filters) => {
      // render only the VMs an id or name filter can match (filterList still applies every filter)
      const ids = wantedValues(filters, "id");
      const names = wantedValues(filters, "name");
      const vms = [...ctx.sim.world.vms.values()].filter((vm) => (!ids || ids.has(vm.id)) && (!names || names.has(vm.fields.name)));
      const wanted = new Set(vms.map((vm) => vm.id));
      const byVm = new Map<number, ReturnType<MethodCtx["sim"]["world"]["devicesOf"]>>();
      for (const d of ctx.sim.world.devices.values()) {
        if (!wanted.has(d.vm)) continue;
        let list = byVm.get(d.vm);
        if (!list) byVm.set(d.vm, (list = []));
        list.push(d);
      }
      return vms.map((vm) => renderVm(ctx, vm, byVm.get(vm.id) ?? []));
    }),
  );
  t.set("vm.get_instance", getInstanceMethod("VM", (ctx, id) => {
    const vm = ctx.sim.world.vms.get(id as number);
    return vm && renderVm(ctx, vm);
  }));
  t.set("vm.create", {
    call: (ctx, params) => {
      arity(ctx, params, ["vm_create"], 1);
      const v = new Verrors();
      const data = validateDict(params[0], vmFields(p), "vm_create", v, { pydantic: p.pydantic });
      v.check();
      plugin(ctx, data, "vm_create", null);
      finishDefaults(ctx, data);
      const vm: VmRecord = { id: ctx.sim.world.nextId("vm"), fields: data, state: "STOPPED", pid: null };
      ctx.sim.world.vms.set(vm.id, vm);
      ctx.sim.world.touch();
      return renderVm(ctx, vm, []);
    },
  });
  t.set("vm.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "vm_update"], 1);
      const id = intArg(ctx, params[0]);
      const v = new Verrors();
      const patch = validateDict(params[1] ?? {}, updateFields(p), "vm_update", v, { pydantic: p.pydantic, partial: true });
      v.check();
      const vm = getVm(ctx, id);
      const merged = { ...vm.fields, ...patch };
      plugin(ctx, merged, "vm_update", vm);
      if (merged.name !== vm.fields.name && vm.state !== "STOPPED") throw new CallError("VM name can only be changed when VM is inactive");
      finishDefaults(ctx, merged);
      vm.fields = merged;
      ctx.sim.world.touch();
      return renderVm(ctx, vm);
    },
  });
  t.set("vm.delete", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = intArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], p.pydantic ? "options" : "vm_delete", { zvols: f.bool({ default: false }), force: f.bool({ default: false }) });
      const vm = getVm(ctx, id);
      const w = ctx.sim.world;
      vm.state = "STOPPED";
      vm.pid = null;
      for (const d of w.devicesOf(id)) {
        if (opts.zvols && d.dtype === "DISK" && typeof d.attributes.path === "string" && d.attributes.path.startsWith("/dev/zvol/")) {
          const name = d.attributes.path.slice("/dev/zvol/".length).replace(/\+/g, " ");
          if (w.datasets.has(name)) destroyDataset(ctx, name, true);
          else if (!opts.force) throw new CallError(`Failed to delete zvol ${name}: dataset does not exist`, ERRNO.ENOENT);
        }
        w.devices.delete(d.id);
      }
      w.vms.delete(id);
      w.touch();
      return true;
    },
  });
  t.set("vm.start", {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = intArg(ctx, params[0]);
      const opts = dictArg(ctx, params[1], "options", { overcommit: f.bool({ default: false }) });
      start(ctx, getVm(ctx, id), opts.overcommit as boolean);
      return null;
    },
  });
  t.set("vm.stop", {
    job: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = intArg(ctx, params[0]);
      stopOptions(ctx, params);
      return () => {
        const vm = getVm(ctx, id);
        if (vm.state === "STOPPED") throw notActive(vm);
        vm.state = "STOPPED";
        vm.pid = null;
        ctx.sim.world.touch();
        return null;
      };
    },
  });
  t.set("vm.restart", {
    job: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const id = intArg(ctx, params[0]);
      return () => {
        const vm = getVm(ctx, id);
        if (vm.state === "STOPPED") throw notActive(vm);
        vm.state = "STOPPED";
        start(ctx, vm, true);
        return null;
      };
    },
  });
  t.set("vm.poweroff", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const vm = getVm(ctx, intArg(ctx, params[0]));
      if (vm.state === "STOPPED") throw notActive(vm);
      vm.state = "STOPPED";
      vm.pid = null;
      ctx.sim.world.touch();
      return null;
    },
  });
  t.set("vm.suspend", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const vm = getVm(ctx, intArg(ctx, params[0]));
      if (vm.state !== "RUNNING") throw new CallError(`${String(vm.fields.name)} is not running`);
      vm.state = "SUSPENDED";
      ctx.sim.world.touch();
      return null;
    },
  });
  t.set("vm.resume", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const vm = getVm(ctx, intArg(ctx, params[0]));
      if (vm.state !== "SUSPENDED") throw new CallError(`${String(vm.fields.name)} is not suspended`);
      vm.state = "RUNNING";
      ctx.sim.world.touch();
      return null;
    },
  });
  t.set("vm.status", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      return vmStatus(getVm(ctx, intArg(ctx, params[0])));
    },
  });
  t.set("vm.random_mac", { call: (ctx) => ctx.sim.randomMac() });
  t.set("vm.maximum_supported_vcpus", { call: () => 255 });
  t.set("vm.bootloader_options", { call: () => ({ UEFI: "UEFI", UEFI_CSM: "Legacy BIOS" }) });
  t.set("vm.bootloader_ovmf_choices", { call: () => Object.fromEntries(OVMF.map((o) => [o, o])) });
  t.set("vm.get_available_memory", {
    call: (ctx) => Math.max(0, ctx.sim.settings.hostMemoryMiB - usedMemoryMiB(ctx)) * 1048576,
  });
}
