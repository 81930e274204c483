import { Type, type Static } from "@sinclair/typebox";
import { Closed, NameRef, lifecycleFields, documentSchema } from "./common.js";
import { vmFields } from "./vm-fields.js";

/**
 * Where a VmTemplate is materialised on Proxmox: as a template VM that clones come from. Without it
 * a template is only a set of defaults for the VMs that name it.
 */
const ProxmoxTemplateSection = Closed(
  {
    provider: NameRef,
    node: Type.Optional(Type.String({ description: "Node holding the template VM (defaults to the provider's).", examples: ["pve1"] })),
    vmid: Type.Optional(Type.Integer({ minimum: 100, maximum: 999999999, description: "VMID of the template VM (allocated when left out)." })),
    linkedClones: Type.Optional(Type.Boolean({ default: false, description: "Clone VMs as linked clones (fast, share the base disk) instead of full clones." })),
  },
  { description: "Makes this template a Proxmox template VM; VMs on that provider that name it are cloned from it." },
);

/** VmTemplate spec: reusable VM settings, optionally a Proxmox template VM. */
export const VmTemplateSpec = Closed({
  template: Type.Optional(Type.Union([NameRef], { description: "Another VmTemplate this one starts from (its values are overridden by this one's)." })),
  ...vmFields,
  proxmox: Type.Optional(ProxmoxTemplateSection),
  ...lifecycleFields,
});

/** The VmTemplate manifest. */
export const VmTemplateDocument = documentSchema(
  "VmTemplate",
  VmTemplateSpec,
  "Reusable VM settings. VirtualMachines name it with spec.template and override what differs. With a proxmox section it is also a Proxmox template VM that clones come from.",
);

export type VmTemplateSpec = Static<typeof VmTemplateSpec>;
/** A VmTemplate manifest. */
export type VmTemplateDocument = Static<typeof VmTemplateDocument>;
