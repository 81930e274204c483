/** Small valid manifests for tests, as YAML text. */
export const proxmoxProvider = `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: pve
spec:
  type: proxmox
  endpoint: https://127.0.0.1:8006
  auth:
    tokenId: root@pam!t
    tokenSecret: { env: PVE_SECRET }
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
`;

export const truenasProvider = `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: nas
spec:
  type: truenas
  endpoint: wss://127.0.0.1:8443
  auth:
    apiKey: { env: NAS_KEY }
  defaults: { pool: tank, bridge: br0 }
`;

/** A VirtualMachine on provider `pve` with the given extra spec lines (indented by two spaces). */
export function vm(name: string, extra = "", provider = "pve"): string {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  provider: ${provider}
  memory: 1GiB
  disks: [{ size: 8GiB }]
  networks: [{ model: virtio }]
${extra}`;
}

export const azureProvider = `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: az
spec:
  type: azure
  subscriptionId: { env: AZ_SUB }
  defaults: { resourceGroup: rg, location: westeurope }
`;

/** A VirtualMachine on provider `az` with the fields Azure requires, plus extra spec lines. */
export function azureVm(name: string, extra = ""): string {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  provider: az
  size: Standard_B2s
  memory: 4GiB
  image: { publisher: Canonical, offer: ubuntu-24_04-lts, sku: server }
  cloudInit:
    user: azureuser
    sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExamp x@y"]
  disks: [{ size: 32GiB }]
  networks: [{ subnet: default }]
${extra}`;
}
