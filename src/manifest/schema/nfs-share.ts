import { Type, type Static } from "@sinclair/typebox";
import { Closed, NameRef, Size, lifecycleFields, documentSchema } from "./common.js";

/** Registers the export as NFS storage on a Proxmox cluster. */
const AttachTo = Closed(
  {
    provider: NameRef,
    storage: Type.String({ pattern: "^[a-z][a-z0-9_-]+$", description: "Proxmox storage id to create.", examples: ["nas-media"] }),
    content: Type.Optional(
      Type.Array(Type.Union([Type.Literal("images"), Type.Literal("iso"), Type.Literal("backup"), Type.Literal("vztmpl"), Type.Literal("snippets"), Type.Literal("rootdir")]), {
        default: ["images"],
        description: "Content types the storage holds.",
      }),
    ),
    nodes: Type.Optional(Type.Array(Type.String(), { description: "Nodes that may use it (all when left out)." })),
    server: Type.Optional(Type.String({ description: "Address Proxmox mounts from, when it differs from the provider's host.", examples: ["10.0.0.5"] })),
  },
  { description: "Registers this export as NFS storage on a Proxmox provider." },
);

/** Azure Files settings for an NFS share. */
const AzureShareSection = Closed(
  {
    storageAccount: Type.String({ pattern: "^[a-z0-9]{3,24}$", description: "Premium FileStorage account (3–24 lower-case letters and digits, globally unique).", examples: ["vmsyncdevfiles"] }),
    createAccount: Type.Optional(Type.Boolean({ default: true, description: "Create the account when missing; false means it must exist (referenced, never modified)." })),
    resourceGroup: Type.Optional(Type.String({ pattern: "^[-\\w\\._\\(\\)]{1,90}$", description: "Resource group of the account (defaults to the provider's)." })),
    location: Type.Optional(Type.String({ pattern: "^[a-z0-9]+$", description: "Region of the account (defaults to the provider's)." })),
    subnets: Type.Optional(Type.Array(Type.String(), { description: "Subnets (name in the provider's VNet, or full resource id) allowed to mount." })),
  },
  { description: "Azure Files (premium FileStorage) backing of the share." },
);

/** NfsShare spec. */
export const NfsShareSpec = Closed({
  provider: Type.Union([NameRef], { description: "metadata.name of the TrueNAS or Azure Provider that exports the share." }),
  size: Type.Union([Size], { description: "Quota of the dataset (TrueNAS) or share (Azure, whole GiB, at least 100GiB on premium)." }),
  dataset: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.:-]+)+$", description: "TrueNAS dataset (pool/path); defaults to POOL/vmsync/NAME.", examples: ["tank/shares/media"] })),
  networks: Type.Optional(Type.Array(Type.String({ pattern: "^[0-9a-fA-F.:]+/[0-9]{1,3}$" }), { description: "Networks allowed to mount (CIDR).", examples: [["10.0.0.0/24"]] })),
  hosts: Type.Optional(Type.Array(Type.String(), { description: "Hosts allowed to mount (TrueNAS)." })),
  readOnly: Type.Optional(Type.Boolean({ default: false, description: "Export read-only." })),
  rootSquash: Type.Optional(Type.Boolean({ default: true, description: "Map root to an unprivileged user (TrueNAS maproot nobody; Azure RootSquash)." })),
  mapAllUser: Type.Optional(Type.String({ description: "TrueNAS: map every user to this one." })),
  attachTo: Type.Optional(Type.Array(AttachTo, { description: "Proxmox providers that get this export as NFS storage." })),
  azure: Type.Optional(AzureShareSection),
  ...lifecycleFields,
});

/** The NfsShare manifest. */
export const NfsShareDocument = documentSchema(
  "NfsShare",
  NfsShareSpec,
  "An NFS export on TrueNAS (dataset + share) or Azure Files (premium FileStorage account + NFS share), optionally registered as Proxmox storage.",
);

export type NfsShareSpec = Static<typeof NfsShareSpec>;
/** An NfsShare manifest. */
export type NfsShareDocument = Static<typeof NfsShareDocument>;
