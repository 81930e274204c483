/**
 * What the SSH simulator knows of the simulated VMs, as each provider simulator reports them
 * (`SimHandle.guests()`): identity, the names and addresses the simulated network resolves to it,
 * whether it runs, and what cloud-init gives its default user.
 */
export interface SimGuest {
  /** Identity of this VM instance (a VM deleted and made again gets a new one): `proxmox:101:<uuid>`. */
  key: string;
  /** Host names it answers to (its name at the provider; `_` also as `-`). */
  names: string[];
  /** Its addresses on the simulated network. */
  addresses: string[];
  running: boolean;
  /** Changes with every power-on (a reboot is a new boot). */
  bootId: string;
  /** When it was powered on (ms epoch), when the provider knows it. */
  startedAt?: number;
  /** The default user cloud-init creates (passwordless sudo), its SSH keys, and the raw user-data when known. */
  cloudInit?: { user?: string; keys: string[]; userData?: string };
}

/** An NFS export a simulator serves: the server names a client may use and the path. */
export interface SimNfsExport {
  hosts: string[];
  path: string;
}

/**
 * A hypervisor node reachable over SSH (Proxmox: for snippet uploads over SFTP). Only the files it
 * exposes exist for SFTP (its storages' snippet folders); they are the simulator's storage content.
 */
export interface SimNode {
  names: string[];
  addresses: string[];
  files: {
    read(path: string): string | undefined;
    /** Writes a file; a reason when the path is not writable (no such folder). */
    write(path: string, text: string): true | string;
    remove(path: string): boolean;
    /** Whether `path` is a folder vmsync may write into. */
    isDir(path: string): boolean;
  };
}

/** The source of each provider simulator's guests and exports (its handle's `guests()` / `nfsExports()`). */
export interface GuestDirectory {
  guests(): SimGuest[];
  nfsExports(): SimNfsExport[];
  /** Hypervisor nodes with SSH (Proxmox). */
  nodes?(): SimNode[];
}

/** The first label of a host name (`k8s-cp.lan` → `k8s-cp`), lower case, `_` read as `-`. */
export function hostLabel(name: string): string {
  return name.split(".")[0]!.toLowerCase().replace(/_/g, "-");
}

/**
 * The simulated network's resolver: an address, or a host name whose first label is a VM's name
 * (as a LAN's DHCP-registered DNS would answer), to the VM.
 */
export function resolveGuest(guests: SimGuest[], host: string): SimGuest | undefined {
  const byAddress = guests.find((g) => g.addresses.includes(host));
  if (byAddress) return byAddress;
  const label = hostLabel(host);
  return guests.find((g) => g.names.some((n) => hostLabel(n) === label));
}
