import { Type, type Static } from "@sinclair/typebox";
import { Closed, Duration, SecretRef, StringOrEnv, documentSchema } from "./common.js";
import { ProxmoxSnippets } from "./guest.js";
import { DEFAULT_CONCURRENCY, DEFAULT_RATE_LIMIT, type ProviderType } from "../../providers/defaults.js";

/** TLS settings of a provider connection. Verification is always on; trust extra CAs with caFile. */
const Tls = Closed(
  {
    caFile: Type.Optional(
      Type.Union([StringOrEnv], {
        description: "PEM file of the CA (or self-signed certificate) to trust in addition to the system roots. Relative to the manifest.",
        examples: ["certs/pve-ca.pem", { env: "PVE_CA_FILE" }],
      }),
    ),
    serverName: Type.Optional(Type.String({ description: "Host name to verify the certificate against, when it differs from the endpoint's." })),
  },
  { description: "TLS verification is always on; there is deliberately no switch to turn it off." },
);

/** Settings every provider type shares; the defaults of concurrency and rateLimit depend on the type (providers/defaults.ts). */
function commonFields(type: ProviderType, rateDefault: string) {
  return {
    endpoint: Type.Union([StringOrEnv], {
      description: "Base URL of the API.",
      examples: ["https://pve.example.com:8006", { env: "PVE_ENDPOINT" }],
    }),
    tls: Type.Optional(Tls),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 64, default: DEFAULT_CONCURRENCY[type], description: "Most steps in flight at once on this provider." }),
    ),
    rateLimit: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1000, ...(type === "azure" ? {} : { default: DEFAULT_RATE_LIMIT[type] }), description: `Most API requests per second to this provider. ${rateDefault}` }),
    ),
    stepTimeout: Type.Optional(
      Type.Union([Duration], { default: "15m", description: "Deadline of one step (including waiting for the provider's task)." }),
    ),
  };
}

/** Overcommit ratios of the capacity check (what a plan may allocate beyond the physical amount). */
const Overcommit = {
  memoryOvercommit: Type.Optional(
    Type.Number({ minimum: 0.1, maximum: 10, default: 1, description: "Memory the plan may give running VMs, as a multiple of the host's physical memory (1 = no overcommit)." }),
  ),
};

/** A Proxmox VE cluster. Auth by API token (preferred) or user and password. */
export const ProxmoxProviderSpec = Closed(
  {
    type: Type.Literal("proxmox", { description: "Proxmox VE." }),
    ...commonFields("proxmox", "Default 100: pveproxy's three workers answer a few hundred reads a second; this leaves most of them to other clients."),
    auth: Type.Union(
      [
        Closed({
          tokenId: Type.Union([StringOrEnv], { description: "API token id, USER@REALM!TOKENID.", examples: ["vmsync@pve!ci"] }),
          tokenSecret: SecretRef,
        }),
        Closed({
          username: Type.Union([StringOrEnv], { description: "USER@REALM.", examples: ["root@pam"] }),
          password: SecretRef,
        }),
      ],
      { description: "An API token (tokenId + tokenSecret) or a user (username + password)." },
    ),
    fullReadInterval: Type.Optional(
      Type.Union([Duration], {
        description:
          "Plans read a guest's config only when its list data (name, tags, status, CPUs, memory, boot disk size, lock) changed since the last read, or that read is older than this (spread over the second half of it); a change elsewhere in a config (bridge, VLAN, CPU type, description, or a change Proxmox keeps pending on a running guest) shows as drift at the next full read. Default 15m for `vmsync plan`; `vmsync watch` reads every config on every pass unless this is set. 0s reads every config on every plan, as does `vmsync plan --full-refresh`. Guests vmsync changes or deletes are always read first.",
      }),
    ),
    defaults: Type.Optional(
      Closed({
        node: Type.Optional(Type.String({ description: "Node new VMs go to when they name none.", examples: ["pve1"] })),
        storage: Type.Optional(Type.String({ description: "Storage for disks that name none.", examples: ["local-lvm"] })),
        bridge: Type.Optional(Type.String({ description: "Bridge for networks that name none.", examples: ["vmbr0"] })),
        pool: Type.Optional(Type.String({ description: "Resource pool new VMs join." })),
      }),
    ),
    capacity: Type.Optional(
      Closed(
        {
          ...Overcommit,
          cpuOvercommit: Type.Optional(Type.Number({ minimum: 0.1, maximum: 64, default: 4, description: "vCPUs the plan may give running VMs per physical CPU thread of a node." })),
        },
        { description: "Capacity check of plans: a step that would allocate more than a node's memory or cores (times these ratios) or a storage's free space is blocked; above 90 % is a warning." },
      ),
    ),
    snippets: Type.Optional(ProxmoxSnippets),
  },
  { description: "A Proxmox VE cluster reached over its HTTPS API." },
);

/** A TrueNAS SCALE system. Auth by API key (preferred) or user and password. */
export const TruenasProviderSpec = Closed(
  {
    type: Type.Literal("truenas", { description: "TrueNAS SCALE." }),
    ...commonFields("truenas", "Default 100 (the middleware does not rate-limit authenticated calls; vmsync keeps at most 8 calls in flight on its connection)."),
    transport: Type.Optional(
      Type.Union([Type.Literal("auto"), Type.Literal("jsonrpc"), Type.Literal("legacy")], {
        default: "auto",
        description: "auto: JSON-RPC 2.0 (/api/current) where the version has it, else the legacy /websocket protocol.",
      }),
    ),
    auth: Type.Union(
      [
        Closed({ apiKey: SecretRef }),
        Closed({ username: Type.Union([StringOrEnv], { examples: ["admin"] }), password: SecretRef }),
      ],
      { description: "An API key, or a user (username + password)." },
    ),
    defaults: Type.Optional(
      Closed({
        pool: Type.Optional(Type.String({ description: "ZFS pool for zvols and datasets.", examples: ["tank"] })),
        bridge: Type.Optional(Type.String({ description: "Bridge for VM NICs that name none.", examples: ["br0"] })),
      }),
    ),
    capacity: Type.Optional(
      Closed({ ...Overcommit }, { description: "Capacity check of plans: zvols must fit the pool's free space, running VMs the host's memory (times memoryOvercommit); above 90 % is a warning." }),
    ),
  },
  { description: "A TrueNAS SCALE system reached over its websocket middleware API." },
);

/** An Azure subscription. Credentials come from @azure/identity (DefaultAzureCredential) unless told otherwise. */
export const AzureProviderSpec = Closed(
  {
    type: Type.Literal("azure", { description: "Azure Resource Manager." }),
    ...commonFields("azure", "Default: ARM's own per-subscription token buckets (reads 250 then 25/s, writes and deletes 200 then 10/s each); set it to use one bucket of this rate for every request instead."),
    endpoint: Type.Optional(
      Type.Union([StringOrEnv], {
        default: "https://management.azure.com",
        description: "Resource Manager endpoint; change it for sovereign clouds or the simulator.",
      }),
    ),
    subscriptionId: Type.Optional(
      Type.Union([StringOrEnv], { description: "Subscription id; defaults to AZURE_SUBSCRIPTION_ID.", examples: [{ env: "AZURE_SUBSCRIPTION_ID" }] }),
    ),
    auth: Type.Optional(
      Type.Union(
        [
          Closed({ type: Type.Literal("default", { description: "Use DefaultAzureCredential." }) }, { description: "DefaultAzureCredential: environment service principal, workload/managed identity, Azure CLI login." }),
          Closed({ type: Type.Literal("static-token", { description: "Use a fixed bearer token." }), token: SecretRef }, { description: "A fixed bearer token (the simulator, or short-lived CI tokens)." }),
        ],
        { default: { type: "default" } },
      ),
    ),
    defaults: Type.Optional(
      Closed({
        resourceGroup: Type.Optional(Type.String({ pattern: "^[-\\w\\._\\(\\)]{1,90}$", description: "Resource group of VMs and shares that name none.", examples: ["rg-dev"] })),
        location: Type.Optional(Type.String({ pattern: "^[a-z0-9]+$", description: "Region of resources that name none.", examples: ["westeurope"] })),
        vnet: Type.Optional(Type.String({ description: "Virtual network VM NICs join (created when missing).", examples: ["vnet-dev"] })),
        subnet: Type.Optional(Type.String({ description: "Subnet of that network for NICs that name none.", examples: ["default"] })),
      }),
    ),
  },
  { description: "An Azure subscription reached through Azure Resource Manager." },
);

/** Provider spec: one of the three types, chosen by `type`. */
export const ProviderSpec = Type.Union([ProxmoxProviderSpec, TruenasProviderSpec, AzureProviderSpec]);

/** The Provider manifest: where and how vmsync reaches one API. */
export const ProviderDocument = documentSchema(
  "Provider",
  ProviderSpec,
  "Where and how vmsync reaches one Proxmox VE cluster, TrueNAS system or Azure subscription. Secrets only as {env:} or {file:} references.",
);

export type ProxmoxProviderSpec = Static<typeof ProxmoxProviderSpec>;
export type TruenasProviderSpec = Static<typeof TruenasProviderSpec>;
export type AzureProviderSpec = Static<typeof AzureProviderSpec>;
/** A Provider spec of any type. */
export type ProviderSpec = Static<typeof ProviderSpec>;
/** A Provider manifest. */
export type ProviderDocument = Static<typeof ProviderDocument>;
