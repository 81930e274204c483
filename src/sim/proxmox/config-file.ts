import { createHash } from "node:crypto";
import type { Conf, VmRecord } from "./world.js";

/**
 * The guest config file model: the text PVE keeps in `/etc/pve/qemu-server/<vmid>.conf` (main
 * section, `[PENDING]`, `[snapshot]` sections), its SHA-1 `digest`, and the API views of it
 * (`current` vs pending-applied).
 */

function sectionLines(conf: Conf): string[] {
  const lines: string[] = [];
  const desc = conf.description;
  if (desc !== undefined) for (const l of String(desc).split("\n")) lines.push(`#${encodeURIComponent(l).replace(/%20/g, " ")}`);
  for (const key of Object.keys(conf).sort()) {
    if (key === "description") continue;
    lines.push(`${key}: ${conf[key]}`);
  }
  return lines;
}

/** Serialises `vm` as PVE writes the config file (used for `digest`). */
export function configText(vm: VmRecord): string {
  const out = sectionLines(vm.conf);
  const delKeys = Object.keys(vm.pendingDelete);
  if (Object.keys(vm.pending).length > 0 || delKeys.length > 0) {
    out.push("", "[PENDING]", ...sectionLines(vm.pending));
    if (delKeys.length > 0) out.push(`delete: ${delKeys.map((k) => (vm.pendingDelete[k] ? `!${k}` : k)).join(",")}`);
  }
  for (const name of Object.keys(vm.snapshots).sort()) {
    const snap = vm.snapshots[name]!;
    const conf: Conf = { ...snap.conf, snaptime: snap.snaptime };
    if (snap.description) conf.description = snap.description;
    if (snap.vmstate) conf.vmstate = 1;
    if (snap.parent) conf.parent = snap.parent;
    out.push("", `[${name}]`, ...sectionLines(conf));
  }
  return `${out.join("\n")}\n`;
}

/** SHA-1 hex of the config file text; changes with any edit (pending, lock, snapshots). */
export function configDigest(vm: VmRecord): string {
  return createHash("sha1").update(configText(vm)).digest("hex");
}

/** The config with pending values applied and pending deletions removed (what `GET config` returns). */
export function pendingApplied(vm: VmRecord): Conf {
  const out: Conf = { ...vm.conf, ...vm.pending };
  for (const k of Object.keys(vm.pendingDelete)) delete out[k];
  return out;
}

/** `GET …/config` body: active (`current`) or pending-applied config, `cipassword` masked, plus `digest`. */
export function configView(vm: VmRecord, current: boolean): Record<string, unknown> {
  const conf = current ? { ...vm.conf } : pendingApplied(vm);
  if (conf.cipassword !== undefined) conf.cipassword = "**********";
  return { ...conf, digest: configDigest(vm) };
}

/** `GET …/pending` body: one entry per key with `value` (active), `pending`, `delete` (1, or 2 = force). */
export function pendingView(vm: VmRecord): Array<Record<string, unknown>> {
  const keys = new Set([...Object.keys(vm.conf), ...Object.keys(vm.pending), ...Object.keys(vm.pendingDelete)]);
  const out: Array<Record<string, unknown>> = [];
  for (const key of [...keys].sort()) {
    const e: Record<string, unknown> = { key };
    const mask = (v: unknown): unknown => (key === "cipassword" ? "**********" : v);
    if (vm.conf[key] !== undefined) e.value = mask(vm.conf[key]);
    if (vm.pending[key] !== undefined) e.pending = mask(vm.pending[key]);
    if (vm.pendingDelete[key] !== undefined) e.delete = vm.pendingDelete[key] ? 2 : 1;
    out.push(e);
  }
  return out;
}
