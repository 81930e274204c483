import type { ApiParams } from "./api-client.js";
import { composeDescription, MARKER_TAG, type MarkerLine } from "./marker.js";
import { agentOn, cicustomUser, cloudInitDrive, tagsOf, type PveConfig } from "./normalise.js";
import { newDiskValue, parseDrive, parseNet, parseProps, printNet, sizeMiB } from "./pve-values.js";
import { canonicalKeys, type VmSpec } from "./spec-types.js";

/**
 * Canonical spec → PVE config keys. `createParams` gives the whole config of a new guest;
 * `updateParams` the keys that differ from the current config, limited to the fields a plan's
 * changes name, so vmsync never rewrites what it was not asked to (and never re-sends a NIC without
 * its MAC: the generated MAC is kept unless the manifest pins one).
 */

/** The stored tags: the marker tag plus the user's, as PVE normalises them (sorted, `;`). */
export function tagValue(tags: string[]): string {
  return [...new Set([MARKER_TAG, ...tags])].sort().join(";");
}

/** The cloud-init storage: the boot disk's storage. */
function ciStorage(spec: VmSpec): string {
  return spec.disks.find((d) => d.slot === spec.bootDisk)?.storage ?? spec.disks[0]?.storage ?? "local-lvm";
}

/** `boot: order=<boot disk>;<cdrom>;<first nic>`. */
function bootValue(spec: VmSpec): string | undefined {
  const devs = [spec.bootDisk, spec.iso ? "ide2" : null, spec.networks.length ? "net0" : null].filter((d): d is string => !!d);
  return devs.length ? `order=${devs.join(";")}` : undefined;
}

function nicValue(spec: VmSpec, i: number, current: string | undefined): string {
  const d = spec.networks[i]!;
  const cur = current !== undefined ? parseNet(current) : undefined;
  const rest: Record<string, string> = { ...(cur?.rest ?? {}), bridge: d.bridge };
  if (d.vlan !== null) rest.tag = String(d.vlan);
  else delete rest.tag;
  return printNet({ model: d.model, mac: d.mac ?? (cur && cur.model === d.model ? cur.mac : (cur?.mac ?? "")), rest });
}

/** Parameters of `POST /nodes/{node}/qemu` for a new guest (disks allocated, MACs left to PVE unless pinned). */
export function createParams(spec: VmSpec, vmid: number, marker: MarkerLine): ApiParams {
  const p: ApiParams = {
    vmid, name: spec.name, cores: spec.cpu.cores, sockets: spec.cpu.sockets, memory: String(spec.memory),
    ostype: "l26", tags: tagValue(spec.tags), description: composeDescription(spec.description, marker),
  };
  if (spec.cpu.type) p.cpu = spec.cpu.type;
  if (spec.disks.some((d) => d.slot.startsWith("scsi"))) p.scsihw = "virtio-scsi-single";
  for (const d of spec.disks) p[d.slot] = newDiskValue(d.storage, d.size);
  spec.networks.forEach((_, i) => (p[`net${i}`] = nicValue(spec, i, undefined)));
  if (spec.iso) p.ide2 = `${spec.iso},media=cdrom`;
  if (spec.cloudInit) {
    p.ide0 = `${ciStorage(spec)}:cloudinit`;
    if (spec.cloudInit.user) p.ciuser = spec.cloudInit.user;
    if (spec.cloudInit.sshKeys.length) p.sshkeys = encodeURIComponent(spec.cloudInit.sshKeys.join("\n"));
    if (spec.networks.length) p.ipconfig0 = "ip=dhcp";
    if (spec.cloudInit.snippet) p.cicustom = `user=${spec.cloudInit.snippet}`;
  }
  const boot = bootValue(spec);
  if (boot) p.boot = boot;
  if (spec.autostart !== undefined) p.onboot = spec.autostart;
  if (spec.agent) p.agent = "1";
  return p;
}

/** What an update must send: config keys to set and delete, and disks to grow (MiB). */
export interface UpdateParams {
  set: Record<string, string | number>;
  del: string[];
  resize: Array<{ disk: string; size: number }>;
}

/** The top-level field a change path belongs to (`disks[0].size` → `disks`). */
export function topField(path: string): string {
  return path.replace(/[.[].*$/, "");
}

/**
 * The config keys that bring `current` to `desired` for the top-level `fields` named by the plan's
 * changes (`description`/`clone`/`linkedClones` all rewrite the description with the marker line).
 */
export function updateParams(desired: VmSpec, current: PveConfig, fields: Set<string>, marker: MarkerLine): UpdateParams {
  const out: UpdateParams = { set: {}, del: [], resize: [] };
  const set = (key: string, value: string | number, same: boolean) => {
    if (!same) out.set[key] = value;
  };
  const del = (key: string) => {
    if (current[key] !== undefined) out.del.push(key);
  };
  if (fields.has("name")) set("name", desired.name, current.name === desired.name);
  if (fields.has("cpu")) {
    set("cores", desired.cpu.cores, Number(current.cores ?? 1) === desired.cpu.cores);
    set("sockets", desired.cpu.sockets, Number(current.sockets ?? 1) === desired.cpu.sockets);
    const curType = current.cpu !== undefined ? parseProps(String(current.cpu), "cputype").cputype : undefined;
    if (desired.cpu.type === null) del("cpu");
    else set("cpu", desired.cpu.type, curType === desired.cpu.type);
  }
  if (fields.has("memory")) set("memory", String(desired.memory), Number(parseProps(String(current.memory ?? "512"), "current").current) === desired.memory);
  if (fields.has("description") || fields.has("clone") || fields.has("linkedClones")) {
    const text = composeDescription(desired.description, marker);
    set("description", text, String(current.description ?? "").replace(/\s+$/, "") === text);
  }
  if (fields.has("tags")) set("tags", tagValue(desired.tags), tagValue(tagsOf(current.tags).user) === tagValue(desired.tags) && tagsOf(current.tags).marked);
  if (fields.has("agent") && desired.agent !== undefined) set("agent", desired.agent ? "1" : "0", agentOn(current.agent) === desired.agent);
  if (fields.has("autostart") && desired.autostart !== undefined) set("onboot", desired.autostart ? 1 : 0, Number(current.onboot ?? 0) === (desired.autostart ? 1 : 0));
  if (fields.has("networks")) {
    desired.networks.forEach((_, i) => {
      const cur = current[`net${i}`];
      const value = nicValue(desired, i, cur === undefined ? undefined : String(cur));
      set(`net${i}`, value, cur !== undefined && String(cur) === value);
    });
    for (const key of Object.keys(current)) if (/^net\d+$/.test(key) && Number(key.slice(3)) >= desired.networks.length) del(key);
  }
  if (fields.has("cloudInit")) cloudInitParams(desired, current, out);
  if (fields.has("iso")) {
    const cur = current.ide2 !== undefined ? parseDrive(String(current.ide2)) : undefined;
    if (desired.iso === null) {
      if (cur && !cur.cloudinit) del("ide2");
    } else set("ide2", `${desired.iso},media=cdrom`, cur?.file === desired.iso);
  }
  if (fields.has("bootDisk")) {
    const boot = bootValue(desired);
    if (boot) set("boot", boot, String(current.boot ?? "") === boot);
  }
  if (fields.has("disks")) {
    for (const d of desired.disks) {
      const cur = current[d.slot];
      if (cur === undefined) out.set[d.slot] = newDiskValue(d.storage, d.size);
      else if ((sizeMiB(parseDrive(String(cur)).size) ?? 0) < d.size) out.resize.push({ disk: d.slot, size: d.size });
    }
  }
  return out;
}

function cloudInitParams(desired: VmSpec, current: PveConfig, out: UpdateParams): void {
  const drive = cloudInitDrive(current);
  const ci = desired.cloudInit;
  const push = (k: string) => current[k] !== undefined && out.del.push(k);
  if (ci === null) {
    push("ciuser");
    push("sshkeys");
    if (drive) out.del.push(drive);
    return;
  }
  if (!drive) {
    const slot = ["ide0", "ide1", "ide3"].find((k) => current[k] === undefined && out.set[k] === undefined) ?? "ide3";
    out.set[slot] = `${ciStorage(desired)}:cloudinit`;
    if (current.ipconfig0 === undefined && desired.networks.length) out.set.ipconfig0 = "ip=dhcp";
  }
  if (ci.user === null) push("ciuser");
  else if (current.ciuser !== ci.user) out.set.ciuser = ci.user;
  const curKeys = current.sshkeys !== undefined ? canonicalKeys(decodeURIComponent(String(current.sshkeys)).split("\n")) : [];
  if (ci.sshKeys.length === 0) push("sshkeys");
  else if (curKeys.join("\n") !== ci.sshKeys.join("\n")) out.set.sshkeys = encodeURIComponent(ci.sshKeys.join("\n"));
  if (ci.snippet === null) push("cicustom");
  else if (ci.snippet !== undefined && cicustomUser(current.cicustom) !== ci.snippet) out.set.cicustom = `user=${ci.snippet}`;
}
