import type { ApiParams } from "./api-client.js";
import { composeDescription, type MarkerLine } from "./marker.js";
import { tagsOf, type PveConfig } from "./normalise.js";
import type { CtBind, CtMount, CtNic, CtSpec } from "./lxc-spec.js";
import { featuresValue, parseCtNet, parseMount, printCtNet, printMount } from "./lxc-values.js";
import { tagValue } from "./vm-config.js";

/**
 * Canonical container spec → PVE options. `ctCreateParams` gives the options of a new container;
 * `ctUpdateParams` the options that differ from the current config for the top-level fields a
 * plan's changes name (vmsync never rewrites what it was not asked to): NICs keep their generated
 * MAC and any option vmsync does not manage; an existing mount point is re-sent with its volume
 * id (re-sending `STORAGE:SIZE` would allocate a new volume); sizes grow through `resize`.
 */

/** Turns a desired bind into the host directory to mount (a share's storage directory, or the host path). */
export type BindPath = (bind: CtBind) => string;

/** Mount-point options vmsync manages (ro, backup), merged over the ones already stored. */
function mountOpts(m: CtMount, current: Record<string, string>): Record<string, string | undefined> {
  const opts: Record<string, string | undefined> = { ...current, mp: m.path, ro: m.readOnly ? "1" : undefined };
  if (m.volume) opts.backup = m.volume.backup ? "1" : undefined;
  return opts;
}

/** The value of a new mount point: `STORAGE:SIZE_GiB,mp=…` for a volume, `HOSTPATH,mp=…` for a bind. */
function newMount(m: CtMount, bindPath: BindPath): string {
  const opts = mountOpts(m, {});
  return m.volume ? printMount(`${m.volume.storage}:${m.volume.size / 1024}`, opts, true) : printMount(bindPath(m.bind!), opts, true);
}

function nicValue(n: CtNic, current: string | undefined): string {
  const opts: Record<string, string | undefined> = { ...(current !== undefined ? parseCtNet(current) : {}) };
  opts.name = n.name;
  opts.bridge = n.bridge;
  opts.tag = n.vlan !== null ? String(n.vlan) : undefined;
  opts.ip = n.ip ?? undefined;
  opts.gw = n.gateway ?? undefined;
  if (n.mac) opts.hwaddr = n.mac;
  return printCtNet(opts);
}

/** The marker of a container: the ownership line plus its create-time facts. */
export function ctMarker(base: MarkerLine, spec: CtSpec): MarkerLine {
  const extra: Record<string, string> = {};
  if (spec.ostemplate !== null) extra.ostemplate = spec.ostemplate;
  if (spec.sshKeys !== null) extra["ssh-keys"] = spec.sshKeys.join(",");
  if (spec.rootPassword !== null) extra["root-password"] = spec.rootPassword;
  return {
    stack: base.stack, address: base.address,
    ...(spec.clone ? { cloneOf: spec.clone.template, clone: spec.clone.linked ? ("linked" as const) : ("full" as const) } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** Options of `POST /nodes/{node}/lxc` (the root password and SSH keys are added by the caller). */
export function ctCreateParams(spec: CtSpec, vmid: number, marker: MarkerLine, bindPath: BindPath): ApiParams {
  const p: ApiParams = {
    vmid, ostemplate: spec.ostemplate ?? undefined, hostname: spec.hostname, memory: spec.memory, swap: spec.swap,
    rootfs: `${spec.rootfs.storage}:${spec.rootfs.size / 1024}`, unprivileged: spec.unprivileged, onboot: spec.onboot,
    tags: tagValue(spec.tags), description: composeDescription(spec.description, marker),
  };
  if (spec.cores !== null) p.cores = spec.cores;
  const features = featuresValue(spec.features, undefined);
  if (features) p.features = features;
  for (const [slot, m] of Object.entries(spec.mountPoints)) p[slot] = newMount(m, bindPath);
  for (const [key, n] of Object.entries(spec.networks)) p[key] = nicValue(n, undefined);
  return p;
}

/** What an update sends: options to set and delete, and volumes to grow (MiB). */
export interface CtUpdateParams {
  set: Record<string, string | number>;
  del: string[];
  resize: Array<{ disk: string; size: number }>;
}

/** The options that bring `current` to `desired` for the top-level `fields` of the plan's changes. */
export function ctUpdateParams(desired: CtSpec, current: PveConfig, fields: Set<string>, marker: MarkerLine, bindPath: BindPath): CtUpdateParams {
  const out: CtUpdateParams = { set: {}, del: [], resize: [] };
  const set = (key: string, value: string | number) => {
    if (String(current[key] ?? "") !== String(value)) out.set[key] = value;
  };
  const del = (key: string) => current[key] !== undefined && out.del.push(key);
  if (fields.has("hostname")) set("hostname", desired.hostname);
  if (fields.has("cores")) desired.cores === null ? del("cores") : set("cores", desired.cores);
  if (fields.has("memory")) set("memory", desired.memory);
  if (fields.has("swap")) set("swap", desired.swap);
  if (fields.has("onboot")) set("onboot", desired.onboot ? 1 : 0);
  if (fields.has("tags") && !(tagValue(tagsOf(current.tags).user) === tagValue(desired.tags) && tagsOf(current.tags).marked)) out.set.tags = tagValue(desired.tags);
  if (["description", "ostemplate", "clone", "sshKeys", "rootPassword"].some((f) => fields.has(f))) {
    const text = composeDescription(desired.description, marker);
    if (String(current.description ?? "").replace(/\s+$/, "") !== text) out.set.description = text;
  }
  if (fields.has("features")) {
    const value = featuresValue(desired.features, current.features === undefined ? undefined : String(current.features));
    if (value === undefined) del("features");
    else set("features", value);
  }
  if (fields.has("networks")) {
    for (const [key, n] of Object.entries(desired.networks)) set(key, nicValue(n, current[key] === undefined ? undefined : String(current[key])));
    for (const key of Object.keys(current)) if (/^net\d+$/.test(key) && !desired.networks[key]) del(key);
  }
  if (fields.has("rootfs")) {
    const size = parseMount(String(current.rootfs ?? "")).size ?? 0;
    if (size < desired.rootfs.size) out.resize.push({ disk: "rootfs", size: desired.rootfs.size });
  }
  if (fields.has("mountPoints")) mountParams(desired, current, out, bindPath);
  return out;
}

function mountParams(desired: CtSpec, current: PveConfig, out: CtUpdateParams, bindPath: BindPath): void {
  for (const [slot, m] of Object.entries(desired.mountPoints)) {
    const cur = current[slot];
    if (cur === undefined) {
      out.set[slot] = newMount(m, bindPath);
      continue;
    }
    const c = parseMount(String(cur));
    const volume = m.volume ? c.volume : bindPath(m.bind!);
    const value = printMount(volume, mountOpts(m, c.opts), true);
    if (value !== String(cur)) out.set[slot] = value;
    if (m.volume && (c.size ?? 0) < m.volume.size) out.resize.push({ disk: slot, size: m.volume.size });
  }
  for (const key of Object.keys(current)) {
    if (/^mp\d+$/.test(key) && !desired.mountPoints[key] && parseMount(String(current[key])).bind) out.del.push(key);
  }
}
