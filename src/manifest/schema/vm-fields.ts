import { Type } from "@sinclair/typebox";
import { Closed, SecretRef, Size } from "./common.js";
import { GuestSpec } from "./guest.js";

/**
 * The VM fields a VmTemplate and a VirtualMachine share. A VirtualMachine that names a template
 * starts from the template's values and overrides field by field (lists replace, objects merge).
 */

const Cpu = Closed(
  {
    cores: Type.Optional(Type.Integer({ minimum: 1, maximum: 512, default: 1, description: "Cores per socket." })),
    sockets: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, default: 1, description: "Sockets (Proxmox) — vcpus on TrueNAS." })),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, default: 1, description: "Threads per core (TrueNAS)." })),
    type: Type.Optional(Type.String({ description: "CPU model (Proxmox cpu type, e.g. host, x86-64-v2-AES).", examples: ["host"] })),
  },
  { description: "Virtual CPU topology. Azure VMs take their CPUs from `size` instead." },
);

/** One virtual disk. The first disk is the boot disk. */
export const Disk = Closed(
  {
    name: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]*$", description: "A name for the disk, unique in the VM; defaults to disk0, disk1, … (TrueNAS: the zvol's name in the VM's dataset)." })),
    size: Type.Union([Size], { description: "Disk size. Disks can grow in place; shrinking is refused." }),
    storage: Type.Optional(Type.String({ description: "Proxmox storage (defaults to the provider's); ignored elsewhere.", examples: ["local-lvm"] })),
    bus: Type.Optional(
      Type.Union([Type.Literal("scsi"), Type.Literal("virtio"), Type.Literal("sata"), Type.Literal("ahci")], {
        default: "scsi",
        description: "Bus: scsi/virtio/sata on Proxmox; virtio or ahci on TrueNAS.",
      }),
    ),
    type: Type.Optional(
      Type.String({ description: "Azure managed disk type for the OS disk.", examples: ["Premium_LRS", "StandardSSD_LRS"] }),
    ),
  },
  { description: "A virtual disk." },
);

/** One network interface. */
export const Network = Closed(
  {
    bridge: Type.Optional(Type.String({ description: "Bridge on Proxmox and TrueNAS (defaults to the provider's).", examples: ["vmbr0"] })),
    model: Type.Optional(
      Type.Union([Type.Literal("virtio"), Type.Literal("e1000"), Type.Literal("rtl8139"), Type.Literal("vmxnet3")], { default: "virtio", description: "NIC model." }),
    ),
    mac: Type.Optional(
      Type.String({
        pattern: "^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$",
        description: "Pinned MAC address. When left out, the one the server generates is kept (it never churns). With replicas, replica i gets this MAC + i - 1; two VMs with one MAC on a provider are refused.",
      }),
    ),
    vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094, description: "VLAN tag (Proxmox)." })),
    subnet: Type.Optional(Type.String({ description: "Azure: subnet name in the VNet (defaults to the provider's).", examples: ["default"] })),
    publicIp: Type.Optional(Type.Boolean({ description: "Azure: give the NIC a static public IP." })),
  },
  { description: "A network interface." },
);

const CloudInit = Closed(
  {
    user: Type.Optional(Type.String({ pattern: "^[a-z_][a-z0-9_-]{0,31}$", description: "Default user (Azure: the admin user).", examples: ["ubuntu"] })),
    sshKeys: Type.Optional(Type.Array(Type.String({ pattern: "^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-) " }), { description: "SSH public keys for the user." })),
    packages: Type.Optional(Type.Array(Type.String(), { description: "Packages to install on first boot.", examples: [["qemu-guest-agent", "nfs-common"]] })),
    startupScript: Type.Optional(Type.String({ description: "Shell script run once on first boot." })),
  },
  { description: "First-boot configuration through cloud-init (Proxmox cloud-init drive, Azure custom data)." },
);

const AzureImage = Closed(
  {
    publisher: Type.String({ description: "Image publisher.", examples: ["Canonical"] }),
    offer: Type.String({ description: "Image offer.", examples: ["ubuntu-24_04-lts"] }),
    sku: Type.String({ description: "Image SKU.", examples: ["server"] }),
    version: Type.Optional(Type.String({ default: "latest", description: "Image version, or latest." })),
  },
  { description: "Azure Marketplace image." },
);

const Display = Closed(
  {
    type: Type.Union([Type.Literal("spice"), Type.Literal("vnc")], { default: "spice", description: "Display protocol." }),
    port: Type.Optional(Type.Integer({ minimum: 5900, maximum: 65535, description: "Port (allocated by TrueNAS when left out). With replicas, replica i gets port + i - 1." })),
    bind: Type.Optional(Type.String({ default: "127.0.0.1", description: "Address the display listens on." })),
    password: Type.Optional(SecretRef),
  },
  { description: "TrueNAS display device (SPICE or VNC)." },
);

/** Fields shared by VmTemplate and VirtualMachine. */
export const vmFields = {
  cpu: Type.Optional(Cpu),
  memory: Type.Optional(Type.Union([Size], { description: "Memory, e.g. 4GiB.", examples: ["2GiB", "8GiB"] })),
  disks: Type.Optional(Type.Array(Disk, { minItems: 1, maxItems: 16, description: "Disks; the first is the boot disk." })),
  networks: Type.Optional(Type.Array(Network, { maxItems: 8, description: "Network interfaces." })),
  cloudInit: Type.Optional(CloudInit),
  iso: Type.Optional(Type.String({ description: "ISO image for a CD-ROM: a Proxmox volume id or a TrueNAS path.", examples: ["local:iso/debian-12.iso", "/mnt/tank/iso/debian-12.iso"] })),
  image: Type.Optional(AzureImage),
  display: Type.Optional(Display),
  bootloader: Type.Optional(Type.Union([Type.Literal("UEFI"), Type.Literal("UEFI_CSM")], { description: "TrueNAS bootloader." })),
  autostart: Type.Optional(Type.Boolean({ description: "Start with the host (Proxmox onboot, TrueNAS autostart)." })),
  size: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_]+$", description: "Azure VM size.", examples: ["Standard_D2s_v5"] })),
  tags: Type.Optional(
    Type.Union(
      [
        Type.Array(Type.String({ pattern: "^[a-z0-9_][a-z0-9_.+-]*$", maxLength: 64 }), { description: "Proxmox: tags are words (lower case)." }),
        Type.Record(Type.String({ pattern: "^[^<>%&\\\\?/]{1,512}$" }), Type.String({ maxLength: 256 }), { description: "Azure: tags are key: value pairs (a key with an empty value is a bare tag)." }),
      ],
      {
        description: "Tags: a list of words on Proxmox (e.g. [web, prod]); key: value pairs on Azure, as Azure has them (e.g. {role: web, env: prod}).",
        examples: [["web", "prod"], { role: "web", env: "prod" }],
      },
    ),
  ),
  description: Type.Optional(Type.String({ maxLength: 4000, description: "Free text kept on the VM (vmsync adds its ownership line)." })),
  guest: Type.Optional(GuestSpec),
};
