import type { ResourceKind } from "../../manifest/model.js";
import type { CanonicalSpec, ChangeEffect, FieldChange } from "../contract.js";
import { deepEqual, diffSpecs, rulePath } from "../diff-util.js";

type Verdict = { effect: ChangeEffect; note?: string };

/** VM fields Azure cannot change on an existing VM (reference §8): a change replaces the VM. */
const VM_REPLACE: Record<string, string> = {
  resourceGroup: "a VM cannot move to another resource group by vmsync",
  location: "a VM cannot move to another region",
  image: "the image is fixed when the VM is created (storageProfile.imageReference)",
  computerName: "the computer name is fixed when the VM is created",
  adminUser: "the admin user is fixed when the VM is created (osProfile)",
  sshKeys: "Azure does not change SSH keys through ARM (linuxConfiguration.ssh.publicKeys); change them in the guest, or replace",
  cloudInitHash: "custom data (cloud-init) is fixed when the VM is created (osProfile.customData)",
  "network.vnetGroup": "vmsync does not move a NIC to another network in place",
  "network.vnet": "vmsync does not move a NIC to another network in place",
  "network.subnet": "vmsync does not move a NIC to another subnet in place",
};

/** The hardware family of a size, for the resize note: `Standard_D4s_v5` → `D-s-v5`, `Standard_B2ms` → `B-s`. */
export function sizeFamily(size: string): string {
  const m = /^(?:Standard|Basic)_([A-Za-z]+)\d+(?:-\d+)?([a-z]*)(?:_([A-Za-z0-9_]+))?$/.exec(size);
  if (!m) return size.toLowerCase();
  return [m[1]!.toUpperCase(), m[2]!.replace(/m/g, ""), m[3] ?? ""].join("-").toLowerCase();
}

function classifyVm(path: string, before: unknown, after: unknown): Verdict {
  const rule = rulePath(path);
  const top = rule.split(".")[0]!;
  const why = VM_REPLACE[rule] ?? VM_REPLACE[top];
  if (why) return { effect: "replace", note: why };
  if (rule === "size") {
    const same = typeof before === "string" && typeof after === "string" && sizeFamily(before) === sizeFamily(after);
    return {
      effect: "restart",
      note: same
        ? `resizing within the ${String(before)} family: Azure resizes in place when the current hardware offers ${String(after)} (the VM restarts); otherwise vmsync deallocates, resizes and starts it`
        : `resizing to another family (${String(before)} → ${String(after)}) most likely needs deallocation: vmsync checks the sizes available on the current hardware, and otherwise deallocates, resizes and restores the power state`,
    };
  }
  if (rule === "osDisk.sizeGB") {
    if (typeof before === "number" && typeof after === "number" && after < before) return { effect: "unsupported", note: `Azure cannot shrink a managed disk (${before} GiB → ${after} GiB)` };
    return { effect: "restart", note: "the OS disk grows while the VM is deallocated: vmsync deallocates it, grows the disk and restores its power state" };
  }
  if (rule === "osDisk.type") return { effect: "restart", note: "a managed disk changes type only while its VM is deallocated: vmsync deallocates, changes it and restores the power state" };
  return { effect: "in-place" };
}

const SHARE_REPLACE: Record<string, string> = {
  resourceGroup: "a storage account cannot move to another resource group by vmsync",
  location: "a storage account cannot move to another region",
  storageAccount: "the share lives in its storage account: another account means a new share",
  protocol: "a share's protocol is fixed when it is created",
  "account.kind": "a storage account's kind is fixed when it is created",
  "account.sku": "NFS needs a premium FileStorage account; its SKU is fixed here",
};

function classifyShare(path: string): Verdict {
  const why = SHARE_REPLACE[rulePath(path)];
  return why ? { effect: "replace", note: why } : { effect: "in-place" };
}

/**
 * The Azure provider's `diff`: VM — image, admin user, SSH keys, custom data, location, resource
 * group, computer name and network placement replace; size and OS disk type/growth need a restart
 * (deallocation when Azure requires it; the note says so); shrinking the OS disk is unsupported;
 * tags, public IP and power are in place. NfsShare — account placement, kind, SKU and protocol
 * replace; quota, root squash and network rules are in place.
 */
export function diffAzure(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
  const changes =
    kind === "VirtualMachine" ? diffSpecs(desired, observed, classifyVm)
    : kind === "NfsShare" ? diffSpecs(desired, observed, (p) => classifyShare(p))
    : diffSpecs(desired, observed, () => ({ effect: "in-place" }));
  return wholeTags(kind, desired, observed, changes.filter((c) => !(CASELESS.has(rulePath(c.path)) && sameIgnoringCase(c.before, c.after))));
}

/**
 * Tags compare as one map: a key the manifest dropped is a change too (mappings otherwise compare
 * only the keys the desired side has). The observed map holds only the keys vmsync manages.
 */
function wholeTags(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec, changes: FieldChange[]): FieldChange[] {
  if (kind !== "VirtualMachine" || desired.tags === undefined) return changes;
  const rest = changes.filter((c) => rulePath(c.path) !== "tags" && !c.path.startsWith("tags."));
  if (deepEqual(desired.tags, observed.tags)) return rest;
  return [...rest, { path: "tags", before: observed.tags, after: desired.tags, effect: "in-place" as const }].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Fields that hold ARM resource names, which Azure compares case-insensitively (`MyRG` and `myrg`
 * are one group): a difference in case alone is no change — otherwise it would be a perpetual,
 * replace-forcing diff.
 */
const CASELESS = new Set(["resourceGroup", "network.vnetGroup", "network.vnet", "network.subnet", "storageAccount", "account.subnets"]);

function sameIgnoringCase(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => JSON.stringify(v)?.toLowerCase();
  return norm(a) === norm(b);
}
