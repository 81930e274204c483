/**
 * Naming rules of what vmsync creates on TrueNAS. Everything is derived from names alone, so the
 * dataset of a VM or share can be computed from an address without seeing its spec (snapshot
 * schedules rely on this):
 *
 * - a VM's disks are zvols `POOL/vmsync/<vm>/<disk>` under a per-VM filesystem dataset
 *   `POOL/vmsync/<vm>` (`<vm>` is the TrueNAS VM name, `-` → `_`; `<disk>` the manifest disk name,
 *   default `disk0`, `disk1`, …). The per-VM dataset lets one recursive snapshot task cover every
 *   disk of the VM, including disks added later.
 * - a share's dataset is `spec.dataset`, by default `POOL/vmsync/<share name>` (set by the loader).
 *   Share names never contain `_` and TrueNAS VM names never contain `-`, so the two only meet for
 *   a VM and a share with the same hyphen-free name: creating the second one then fails, naming it.
 * - schedules derive targets from addresses with these defaults: a VM's `externalName` override or
 *   a share's explicit `spec.dataset` are not visible there (documented limitation).
 */
import { truenasVmName } from "../../manifest/names.js";

/** Parent of everything vmsync creates in a pool. */
export function vmsyncRoot(pool: string): string {
  return `${pool}/vmsync`;
}

/** The per-VM dataset holding the VM's zvols. */
export function vmDataset(pool: string, vmName: string): string {
  return `${vmsyncRoot(pool)}/${vmName}`;
}

/** `/dev/zvol/<name>` (spaces become `+`, as the middleware does). */
export function zvolPath(name: string): string {
  return `/dev/zvol/${name.replace(/ /g, "+")}`;
}

/** The zvol name of a `/dev/zvol/…` path, or undefined for other paths. */
export function zvolOfPath(path: unknown): string | undefined {
  return typeof path === "string" && path.startsWith("/dev/zvol/") ? path.slice("/dev/zvol/".length).replace(/\+/g, " ") : undefined;
}

/** The default dataset of a share. */
export function shareDataset(pool: string, shareName: string): string {
  return `${vmsyncRoot(pool)}/${shareName}`;
}

/** Mount path of a filesystem dataset. */
export function mountPath(dataset: string): string {
  return `/mnt/${dataset}`;
}

/**
 * The dataset a snapshot-schedule target stands for: `VirtualMachine/web-1` → `POOL/vmsync/web_1`
 * (recursive: all its zvols; the VM's externalName when the loader gives it), `NfsShare/media` →
 * the share's own `spec.dataset` when given, else `POOL/vmsync/media`. Undefined for other kinds.
 */
export function targetDataset(address: string, pool: string, info?: { externalName?: string; dataset?: string }): { dataset: string; vm: boolean } | undefined {
  const [kind, name] = address.split("/", 2);
  if (!name) return undefined;
  if (kind === "VirtualMachine") return { dataset: vmDataset(pool, info?.externalName ?? truenasVmName(name)), vm: true };
  if (kind === "NfsShare") return { dataset: info?.dataset ?? shareDataset(pool, name), vm: false };
  return undefined;
}

/** The pool a dataset lives in (its first path component): where a TrueNAS object is, as `status` shows it. */
export function poolOf(dataset: string): string {
  return dataset.split("/")[0] ?? dataset;
}
