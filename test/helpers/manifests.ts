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
