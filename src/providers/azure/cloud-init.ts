import { createHash } from "node:crypto";

/** The cloud-init inputs of a VM as the manifest gives them (mount shares by NfsShare name). */
export interface CloudInitInputs {
  packages: string[];
  startupScript?: string;
  mounts: Array<{ share: string; path: string; options: string }>;
}

/** Where the script from `startupScript` is written in the guest. */
export const STARTUP_SCRIPT_PATH = "/var/lib/vmsync/startup.sh";

/**
 * The hash recorded in the `vmsync-cloudinit` tag: sha256 (first 32 hex digits) of the inputs in a
 * fixed key order. Azure never returns custom data, so this hash is how a change is seen. It covers
 * the manifest's inputs (share *names*, not their resolved NFS paths), so it is known when planning.
 */
export function cloudInitHash(inputs: CloudInitInputs): string {
  const canonical = JSON.stringify({
    packages: inputs.packages,
    startupScript: inputs.startupScript ?? null,
    mounts: inputs.mounts.map((m) => [m.share, m.path, m.options]),
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

/** True when there is nothing to send as custom data. */
export function isEmptyCloudInit(inputs: CloudInitInputs): boolean {
  return inputs.packages.length === 0 && !inputs.startupScript && inputs.mounts.length === 0;
}

/** The NFS source of an Azure Files NFS share: `<account>.file.core.windows.net:/<account>/<share>`. */
export function azureFilesNfsSource(account: string, share: string): string {
  return `${account}.file.core.windows.net:/${account}/${share}`;
}

/**
 * A `#cloud-config` document (YAML written as JSON values, which YAML reads as they are):
 * `packages` (plus `nfs-common` when there are mounts), `mounts` entries
 * `[source, path, "nfs", options, "0", "0"]` (cloud-init creates the mount points), and the startup
 * script written to `/var/lib/vmsync/startup.sh` and run once by `runcmd`. `sources` maps each
 * mount's share name to its NFS source.
 */
export function renderCloudConfig(inputs: CloudInitInputs, sources: Map<string, string>): string {
  const lines = ["#cloud-config"];
  const packages = [...inputs.packages];
  if (inputs.mounts.length > 0 && !packages.includes("nfs-common")) packages.push("nfs-common");
  if (packages.length > 0) {
    lines.push("package_update: true");
    lines.push(`packages: ${JSON.stringify(packages)}`);
  }
  if (inputs.mounts.length > 0) {
    lines.push("mounts:");
    for (const m of inputs.mounts) {
      const src = sources.get(m.share);
      if (src === undefined) throw new Error(`no NFS source for share ${m.share}`);
      lines.push(`  - ${JSON.stringify([src, m.path, "nfs", m.options, "0", "0"])}`);
    }
  }
  if (inputs.startupScript) {
    lines.push("write_files:");
    lines.push(`  - path: ${JSON.stringify(STARTUP_SCRIPT_PATH)}`);
    lines.push(`    permissions: "0755"`);
    lines.push(`    content: ${JSON.stringify(inputs.startupScript)}`);
    lines.push("runcmd:");
    lines.push(`  - ${JSON.stringify([STARTUP_SCRIPT_PATH])}`);
  }
  return `${lines.join("\n")}\n`;
}
