/**
 * Field classification of TrueNAS changes (the pure `diff` of the provider).
 *
 * VirtualMachine — TrueNAS keeps a VM's configuration in its database and defines the libvirt
 * domain from it at every start (reference §4.3–4.6), so:
 * - in place: `description`, `autostart`, `power`; disk growth (`disks[i].size` up: zvol volsize
 *   grows live).
 * - restart (saved at once, effective at the next start; vmsync restarts a running VM that should
 *   run): `vcpus`, `cores`, `threads`, `memory`, `bootloader`, any device change — disk bus, disks
 *   added or removed (a removed disk's zvol is deleted, and TrueNAS refuses to delete a device of a
 *   running VM), NICs, ISO, display.
 * - replace: `name` and `dataset` (the VM's identity and where its zvols live).
 * - unsupported: shrinking a disk (TrueNAS refuses to shrink a zvol: data loss).
 * NfsShare — `dataset` is replace (it is the share's identity); everything else in place.
 * SnapshotSchedule — everything in place (tasks are updated, created or deleted one by one).
 */
import type { ResourceKind } from "../../manifest/model.js";
import type { CanonicalSpec, ChangeEffect, FieldChange } from "../contract.js";
import { diffSpecs, rulePath } from "../diff-util.js";

type Rule = { effect: ChangeEffect; note?: string };

function vmRule(path: string, before: unknown, after: unknown): Rule {
  const p = rulePath(path);
  if (p === "name" || p === "dataset") return { effect: "replace", note: "the TrueNAS VM name and the dataset of its zvols are its identity" };
  if (p === "description" || p === "autostart") return { effect: "in-place" };
  if (p === "power") return { effect: "in-place", note: after === "running" ? "vm.start" : "vm.stop (job), forced off after the shutdown timeout" };
  if (p === "disks.size") {
    if (typeof before === "number" && typeof after === "number" && after < before) return { effect: "unsupported", note: `disks only grow: TrueNAS cannot shrink a zvol (${before} MiB → ${after} MiB)` };
    return { effect: "in-place", note: "the zvol grows in place" };
  }
  if (p === "disks" || p === "disks.name") return { effect: "restart", note: "disks are added or removed as devices (a removed disk's zvol is deleted); the VM is stopped for it and started again" };
  if (p.startsWith("nics") || p === "iso" || p.startsWith("display") || p === "disks.bus") return { effect: "restart", note: "device changes apply when the VM next starts" };
  return { effect: "restart", note: "TrueNAS applies VM configuration when the VM next starts" };
}

function shareRule(path: string): Rule {
  if (rulePath(path) === "dataset") return { effect: "replace", note: "the dataset is the share's identity" };
  return { effect: "in-place" };
}

/** Classifies every differing field of `kind` (see module comment). */
export function diffTruenas(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
  if (kind === "VirtualMachine") return diffSpecs(desired, observed, vmRule);
  if (kind === "NfsShare") return diffSpecs(desired, observed, shareRule);
  return diffSpecs(desired, observed, () => ({ effect: "in-place" }));
}

/** Paths holding secrets: the display password (its reference and placeholders are shown as (sensitive)). */
export function truenasSensitivePaths(kind: ResourceKind): string[] {
  return kind === "VirtualMachine" ? ["display.password"] : [];
}
