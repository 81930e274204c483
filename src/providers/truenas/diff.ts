/**
 * Field classification of TrueNAS changes (the pure `diff` of the provider).
 *
 * VirtualMachine — TrueNAS keeps a VM's configuration in its database and defines the libvirt
 * domain from it at every start (reference §4.3–4.6), so:
 * - in place: `description`, `autostart`, `power`; disk growth (`disks[i].size` up: zvol volsize
 *   grows live).
 * - restart (saved at once, effective at the next start; vmsync restarts a running VM that should
 *   run): `vcpus`, `cores`, `threads`, `memory`, `bootloader`, any device change — disk bus, disks
 *   added at the end (removing, renaming or reordering disks is unsupported: it would delete or swap
 *   the data in their zvols), NICs, ISO, display (a running VM is stopped for device removals:
 *   TrueNAS refuses to delete a device of a running VM).
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
  if (p === "disks.name") return { effect: "unsupported", note: "a disk's name says which zvol holds its data: renaming or reordering disks would swap or delete data" };
  if (p === "disks") {
    const b = Array.isArray(before) ? (before as Array<{ name?: unknown }>) : [];
    const a = Array.isArray(after) ? (after as Array<{ name?: unknown }>) : [];
    if (a.length < b.length || b.some((d, i) => a[i]?.name !== d.name)) {
      return { effect: "unsupported", note: "vmsync never removes or reorders a VM's disks (that deletes or swaps the data in their zvols); remove the disk by hand, or replace the VM" };
    }
    return { effect: "restart", note: "disks are added as devices; the VM is stopped for it and started again" };
  }
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
