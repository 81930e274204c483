/**
 * Name rules of the providers, checked before anything is sent (the facts are in
 * shared/reference/: Proxmox `dns-name` and VMIDs, TrueNAS `^[a-zA-Z_0-9]+$`, Azure resource rules).
 *
 * TrueNAS VM names allow only letters, digits and underscore, so vmsync maps a manifest name to a
 * TrueNAS name by turning every `-` into `_` (`web-1` → `web_1`). `spec.externalName` overrides it.
 * Two VMs whose TrueNAS names would be equal on one provider are a diagnostic.
 */

/** Highest VMID Proxmox accepts (the lowest, 100, is the schema's minimum). */
export const PROXMOX_VMID_MAX = 999_999_999;

/** Proxmox `dns-name`: dot-separated labels of letters, digits and inner hyphens. */
export function isProxmoxName(name: string): boolean {
  return name.length <= 253 && name.split(".").every((l) => /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(l));
}

/** The TrueNAS VM name vmsync uses for a manifest name. */
export function truenasVmName(name: string): string {
  return name.replace(/-/g, "_");
}

/** TrueNAS VM name rule (vm plugin `^[a-zA-Z_0-9]+$`). */
export function isTruenasVmName(name: string): boolean {
  return /^[a-zA-Z_0-9]+$/.test(name);
}

/**
 * Azure VM name rule for Linux VMs: 1–64 letters, digits, `-`, `_` and `.`; not starting with `_`,
 * not ending with `.` or `-`. Returns the reason when invalid.
 */
export function azureVmNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 64) return "must be 1 to 64 characters";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "may contain only letters, digits, '-', '_' and '.'";
  if (name.startsWith("_")) return "must not start with '_'";
  if (/[.-]$/.test(name)) return "must not end with '.' or '-'";
  return undefined;
}
