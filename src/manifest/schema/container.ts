import { Type, type Static } from "@sinclair/typebox";
import { Closed, NameRef, SecretRef, Size, lifecycleFields, documentSchema } from "./common.js";

/**
 * The `Container` kind: a Proxmox VE LXC container (pve-container), made from an OS template
 * (`vztmpl` volume) or cloned from a container template. Proxmox only.
 */

const IPV4 = "(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}";

/** One NIC (`netN`, a veth pair on a bridge). */
const CtNetwork = Closed(
  {
    name: Type.Optional(Type.String({ pattern: "^[-_.A-Za-z0-9]+$", maxLength: 15, description: "Interface name inside the container; defaults to eth0, eth1, … by position." })),
    bridge: Type.Optional(Type.String({ description: "Bridge (defaults to the provider's).", examples: ["vmbr0"] })),
    vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094, description: "VLAN tag." })),
    ip: Type.Optional(
      Type.String({
        pattern: `^(dhcp|${IPV4}/([0-9]|[12][0-9]|3[0-2]))$`,
        default: "dhcp",
        description: "IPv4 configuration: dhcp (default) or an address in CIDR notation.",
        examples: ["dhcp", "192.168.10.20/24"],
      }),
    ),
    gateway: Type.Optional(Type.String({ pattern: `^${IPV4}$`, description: "IPv4 default gateway (only with a static ip).", examples: ["192.168.10.1"] })),
    mac: Type.Optional(
      Type.String({ pattern: "^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$", description: "Pinned MAC address. When left out, the one Proxmox generates is kept (it never churns)." }),
    ),
  },
  { description: "A network interface of the container." },
);

/** The root file system. */
const Rootfs = Closed(
  {
    size: Type.Union([Size], { description: "Size of the root volume. It can grow in place; shrinking is refused." }),
    storage: Type.Optional(Type.String({ description: "Storage of the root volume, which must allow container directories (rootdir); defaults to the provider's.", examples: ["local-lvm"] })),
  },
  { description: "The root file system (rootfs).", default: { size: "4GiB" } },
);

/** One mount point (`mpN`): a storage volume, a bind of an NfsShare's Proxmox storage, or a bind of a host directory. */
const MountPoint = Closed(
  {
    path: Type.String({ pattern: "^/", description: "Where it appears inside the container.", examples: ["/srv/media"] }),
    size: Type.Optional(Type.Union([Size], { description: "A new storage volume of this size (grows in place, never shrinks)." })),
    storage: Type.Optional(Type.String({ description: "Storage of the volume (with size; defaults to the rootfs storage)." })),
    backup: Type.Optional(Type.Boolean({ default: false, description: "Include the volume in backups (volumes only)." })),
    share: Type.Optional(Type.Union([NameRef], { description: "Bind-mount an NfsShare attached to this Proxmox provider (its NFS storage's mount on the node). Needs root@pam password auth." })),
    subdir: Type.Optional(Type.String({ pattern: "^[^/].*$", description: "With share: a directory inside the share to bind instead of its root.", examples: ["films"] })),
    hostPath: Type.Optional(Type.String({ pattern: "^/", description: "Bind-mount this directory of the Proxmox node. Needs root@pam password auth.", examples: ["/srv/data"] })),
    readOnly: Type.Optional(Type.Boolean({ default: false, description: "Mount read-only." })),
  },
  { description: "A mount point: give size (a new volume), share (an NfsShare bind mount) or hostPath (a host bind mount)." },
);

/** Container features (`features`). */
const Features = Closed(
  {
    nesting: Type.Optional(Type.Boolean({ description: "Allow nesting (needed by systemd and by containers in containers)." })),
    keyctl: Type.Optional(Type.Boolean({ description: "Unprivileged only: allow keyctl() (e.g. for Docker). root@pam only." })),
    fuse: Type.Optional(Type.Boolean({ description: "Allow FUSE file systems. root@pam only." })),
    mknod: Type.Optional(Type.Boolean({ description: "Allow mknod() of some devices (experimental). root@pam only." })),
    mount: Type.Optional(Type.Array(Type.String({ pattern: "^[a-zA-Z0-9_]+$" }), { description: "File system types the container may mount. root@pam only.", examples: [["nfs", "cifs"]] })),
  },
  { description: "LXC features. Proxmox lets only root@pam (password login, not an API token) change any but nesting." },
);

/** Container spec. */
export const ContainerSpec = Closed({
  provider: Type.Union([NameRef], { description: "metadata.name of the Proxmox Provider the container lives on." }),
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "Make N identical containers named NAME-1 … NAME-N. Leave out for one named NAME." })),
  hostname: Type.Optional(
    Type.String({ pattern: "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$", maxLength: 255, description: "Host name (the name at Proxmox); defaults to metadata.name. Not allowed with replicas." }),
  ),
  node: Type.Optional(Type.String({ description: "Proxmox node (defaults to the provider's).", examples: ["pve1"] })),
  vmid: Type.Optional(Type.Integer({ minimum: 100, maximum: 999999999, description: "VMID (shared with VMs). With replicas, replica i gets vmid + i - 1. Allocated when left out." })),
  ostemplate: Type.Optional(
    Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*:vztmpl/[^/]+$", description: "OS template volume to create from (see `pveam available`). Fixed after creation.", examples: ["local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"] }),
  ),
  clone: Type.Optional(
    Closed(
      {
        template: Type.Union([NameRef], { description: "A Container with template: true in these manifests, or the host name of a container template at the provider." }),
        linked: Type.Optional(Type.Boolean({ default: false, description: "Linked clone (shares the template's base volume; same storage) instead of a full copy." })),
      },
      { description: "Clone from a container template instead of creating from an ostemplate. Fixed after creation." },
    ),
  ),
  template: Type.Optional(Type.Boolean({ default: false, description: "Convert to a container template after creation (it never runs; other containers clone it)." })),
  unprivileged: Type.Optional(Type.Boolean({ default: true, description: "Run as an unprivileged container (user namespaces). Fixed after creation." })),
  cores: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192, description: "CPU cores the container may use (all of the node's when left out)." })),
  memory: Type.Optional(Type.Union([Size], { default: "512MiB", description: "Memory limit.", examples: ["512MiB", "2GiB"] })),
  swap: Type.Optional(Type.Union([Size], { default: "512MiB", description: "Swap limit (0 for none).", examples: ["0MiB", "1GiB"] })),
  rootfs: Type.Optional(Rootfs),
  mountPoints: Type.Optional(Type.Array(MountPoint, { maxItems: 256, description: "Mount points mp0, mp1, … in this order (add new ones at the end)." })),
  networks: Type.Optional(Type.Array(CtNetwork, { maxItems: 32, description: "Network interfaces net0, net1, …" })),
  features: Type.Optional(Features),
  sshKeys: Type.Optional(
    Type.Array(Type.String({ pattern: "^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9-]+@openssh\\.com) [A-Za-z0-9+/=]+( .*)?$" }), {
      description: "SSH public keys for root, written when the container is created from an ostemplate (Proxmox cannot change them later).",
    }),
  ),
  rootPassword: Type.Optional(SecretRef),
  onboot: Type.Optional(Type.Boolean({ default: false, description: "Start the container when the node boots." })),
  power: Type.Optional(Type.Union([Type.Literal("running"), Type.Literal("stopped")], { default: "running", description: "Desired power state (not for templates)." })),
  tags: Type.Optional(Type.Array(Type.String({ pattern: "^[a-z0-9_][a-z0-9_.+-]*$", maxLength: 64 }), { description: "Tags (lower case)." })),
  description: Type.Optional(Type.String({ maxLength: 4000, description: "Free text kept on the container (vmsync adds its ownership line)." })),
  ...lifecycleFields,
});

/** The Container manifest. */
export const ContainerDocument = documentSchema(
  "Container",
  ContainerSpec,
  "A Proxmox VE LXC container (or N replicas), from an OS template or cloned from a container template.",
);

export type ContainerSpec = Static<typeof ContainerSpec>;
/** A Container manifest. */
export type ContainerDocument = Static<typeof ContainerDocument>;
