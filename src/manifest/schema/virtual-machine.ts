import { Type, type Static } from "@sinclair/typebox";
import { Closed, NameRef, lifecycleFields, documentSchema } from "./common.js";
import { vmFields } from "./vm-fields.js";

/** An NFS share mounted inside the guest through cloud-init at first boot (spec.guest.mounts keeps mounts in place over SSH). */
const Mount = Closed(
  {
    share: NameRef,
    path: Type.String({ pattern: "^/", description: "Mount point in the guest.", examples: ["/mnt/media"] }),
    options: Type.Optional(Type.String({ default: "vers=4.1,hard", description: "Mount options." })),
  },
  { description: "Mounts an NfsShare in the guest." },
);

/** VirtualMachine spec. */
export const VirtualMachineSpec = Closed({
  provider: Type.Union([NameRef], { description: "metadata.name of the Provider the VM lives on." }),
  template: Type.Optional(Type.Union([NameRef], { description: "metadata.name of a VmTemplate to start from." })),
  replicas: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, description: "Make N identical VMs named NAME-1 … NAME-N. Leave out for one VM named NAME." }),
  ),
  externalName: Type.Optional(
    Type.String({
      pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
      maxLength: 63,
      description:
        "Name of the VM at the provider when it must differ from metadata.name. By default Proxmox and Azure use metadata.name and TrueNAS uses it with - turned into _ (web-1 becomes web_1). Not allowed with replicas.",
    }),
  ),
  node: Type.Optional(Type.String({ description: "Proxmox node (defaults to the provider's).", examples: ["pve1"] })),
  vmid: Type.Optional(
    Type.Integer({ minimum: 100, maximum: 999999999, description: "Proxmox VMID. With replicas, replica i gets vmid + i - 1. Allocated when left out." }),
  ),
  dataset: Type.Optional(
    Type.String({
      pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.:-]+)+$",
      description: "TrueNAS: the dataset holding the VM's zvols (default POOL/vmsync/NAME). `vmsync import --generate` sets it for a VM made outside vmsync.",
      examples: ["tank/vms"],
    }),
  ),
  location: Type.Optional(Type.String({ pattern: "^[a-z0-9]+$", description: "Azure region (defaults to the provider's).", examples: ["westeurope"] })),
  resourceGroup: Type.Optional(Type.String({ pattern: "^[-\\w\\._\\(\\)]{1,90}$", description: "Azure resource group (defaults to the provider's)." })),
  power: Type.Optional(
    Type.Union([Type.Literal("running"), Type.Literal("stopped"), Type.Literal("deallocated")], {
      default: "running",
      description: "Desired power state; deallocated is Azure only (stopped and not billed for compute).",
    }),
  ),
  mounts: Type.Optional(Type.Array(Mount, { description: "NFS shares written into cloud-init, mounted at first boot (a later change needs a new VM). With spec.guest, use spec.guest.mounts instead: kept in place over SSH." })),
  ...vmFields,
  ...lifecycleFields,
});

/** The VirtualMachine manifest. */
export const VirtualMachineDocument = documentSchema(
  "VirtualMachine",
  VirtualMachineSpec,
  "One VM (or N replicas) on a Proxmox VE, TrueNAS or Azure provider.",
);

export type VirtualMachineSpec = Static<typeof VirtualMachineSpec>;
/** A VirtualMachine manifest. */
export type VirtualMachineDocument = Static<typeof VirtualMachineDocument>;
