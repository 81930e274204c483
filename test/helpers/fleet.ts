/**
 * Manifests over all three simulators (the tests of known conditions and the soak trials): one
 * Provider per simulator whose endpoint, CA and credentials come from environment variables, and
 * small VMs on each. `simEnv` turns the announcement of `vmsync sim` (or `startAllSims`) into those
 * variables.
 */
import type { SimAnnouncement } from "../../src/sim/run-all.js";

/** The provider names the manifests use. */
export type FleetProvider = "pve" | "nas" | "cloud";
export const FLEET_PROVIDERS: FleetProvider[] = ["pve", "nas", "cloud"];

/** The Provider manifest of one simulator (no secret inline: all through {env}). */
export function providerYaml(p: FleetProvider): string {
  const head = (type: string) => `apiVersion: vmsync.io/v1\nkind: Provider\nmetadata:\n  name: ${p}\nspec:\n  type: ${type}\n`;
  switch (p) {
    case "pve":
      return `${head("proxmox")}  endpoint: { env: PVE_ENDPOINT }\n  tls: { caFile: { env: PVE_CA } }\n  auth:\n    tokenId: { env: PVE_TOKEN_ID }\n    tokenSecret: { env: PVE_TOKEN_SECRET }\n  concurrency: 4\n  rateLimit: 200\n  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }\n`;
    case "nas":
      return `${head("truenas")}  endpoint: { env: NAS_ENDPOINT }\n  tls: { caFile: { env: NAS_CA } }\n  auth:\n    apiKey: { env: NAS_KEY }\n  concurrency: 4\n  rateLimit: 200\n  defaults: { pool: tank, bridge: br0 }\n`;
    case "cloud":
      return `${head("azure")}  endpoint: { env: AZ_ENDPOINT }\n  tls: { caFile: { env: AZ_CA } }\n  subscriptionId: { env: AZ_SUB }\n  auth:\n    type: static-token\n    token: { env: AZ_TOKEN }\n  concurrency: 4\n  rateLimit: 200\n  defaults: { resourceGroup: rg-fleet, location: westeurope, vnet: vnet-fleet, subnet: default }\n`;
  }
}

/** What a VM of the fleet may vary (what the soak's updates change). */
export interface FleetVm {
  name: string;
  provider: FleetProvider;
  /** MiB (Proxmox and TrueNAS; Azure takes memory from the size). */
  memory: number;
  cores: number;
  /** Azure VM size (default Standard_B2s). */
  size?: string;
}

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetFleetFleetFleetFleetFleetFleetFleetFle fleet@vmsync";

/** A small VirtualMachine manifest on its provider (stopped on Proxmox and TrueNAS: nothing to boot). */
export function vmYaml(vm: FleetVm): string {
  const common = `apiVersion: vmsync.io/v1\nkind: VirtualMachine\nmetadata:\n  name: ${vm.name}\nspec:\n  provider: ${vm.provider}\n  cpu: { cores: ${vm.cores} }\n  memory: ${vm.memory}MiB\n`;
  if (vm.provider === "cloud") {
    return `${common}  size: ${vm.size ?? "Standard_B2s"}\n  image: { publisher: Canonical, offer: ubuntu-24_04-lts, sku: server }\n  disks: [{ size: 32GiB }]\n  networks: [{ subnet: default, publicIp: false }]\n  cloudInit: { user: azureuser, sshKeys: ["${SSH_KEY}"] }\n`;
  }
  return `${common}  disks: [{ size: 2GiB }]\n  networks: [{ model: virtio }]\n  power: stopped\n`;
}

/** The environment the manifests read, from a simulator announcement. */
export function simEnv(a: SimAnnouncement): Record<string, string> {
  const pve = a.proxmox!;
  const nas = a.truenas!;
  const az = a.azure!;
  return {
    PVE_ENDPOINT: pve.endpoint, PVE_CA: pve.caFile!, PVE_TOKEN_ID: pve.tokenId!, PVE_TOKEN_SECRET: pve.tokenSecret!,
    NAS_ENDPOINT: nas.endpoint, NAS_CA: nas.caFile!, NAS_KEY: nas.apiKey!,
    AZ_ENDPOINT: az.endpoint, AZ_CA: az.caFile!, AZ_SUB: az.subscriptionId!, AZ_TOKEN: az.token!,
    VMSYNC_AZURE_POLL_MS: "20",
  };
}

/** Per provider: the variables holding its endpoint, CA file and secret (to break one on purpose). */
export const FLEET_VARS: Record<FleetProvider, { endpoint: string; ca: string; secret: string }> = {
  pve: { endpoint: "PVE_ENDPOINT", ca: "PVE_CA", secret: "PVE_TOKEN_SECRET" },
  nas: { endpoint: "NAS_ENDPOINT", ca: "NAS_CA", secret: "NAS_KEY" },
  cloud: { endpoint: "AZ_ENDPOINT", ca: "AZ_CA", secret: "AZ_TOKEN" },
};
