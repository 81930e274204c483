// Fleet generator of the scale benchmark: a manifest tree of N resources spread over the three
// providers (Proxmox VE, TrueNAS, Azure), pointed at simulators through VMSYNC_SIM_* variables.
// Deterministic: the same N gives the same manifests. VMs differ in size, tags and power like a
// real fleet; files hold 100 documents each, as teams split manifests by service.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBen bench@vmsync";

/** How N resources split over the providers: a third each (Proxmox takes the remainder). */
export function split(n) {
  const truenas = Math.floor(n / 3);
  const azure = Math.floor(n / 3);
  return { proxmox: n - truenas - azure, truenas, azure };
}

function providers(opts) {
  return `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: { env: VMSYNC_SIM_PROXMOX_ENDPOINT }
  tls: { caFile: { env: VMSYNC_SIM_PROXMOX_CA } }
  auth:
    tokenId: { env: VMSYNC_SIM_PROXMOX_TOKEN_ID }
    tokenSecret: { env: VMSYNC_SIM_PROXMOX_TOKEN_SECRET }
${opts.proxmoxExtra ?? ""}  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
---
apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: nas }
spec:
  type: truenas
  endpoint: { env: VMSYNC_SIM_TRUENAS_ENDPOINT }
  tls: { caFile: { env: VMSYNC_SIM_TRUENAS_CA } }
  auth: { apiKey: { env: VMSYNC_SIM_TRUENAS_API_KEY } }
  defaults: { pool: tank, bridge: br0 }
---
apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: cloud }
spec:
  type: azure
  endpoint: { env: VMSYNC_SIM_AZURE_ENDPOINT }
  tls: { caFile: { env: VMSYNC_SIM_AZURE_CA } }
  subscriptionId: { env: VMSYNC_SIM_AZURE_SUBSCRIPTION_ID }
  auth: { type: static-token, token: { env: VMSYNC_SIM_AZURE_TOKEN } }
  # The simulator does not throttle. Without this, vmsync keeps to ARM's own limits (writes 10/s,
  # reads 25/s per subscription), which alone make a fleet's creates take as long as the README
  # computes from the request counts; the benchmark measures vmsync, so it lifts them.
  rateLimit: 1000
  defaults: { resourceGroup: rg-fleet, location: westeurope, vnet: vnet-fleet, subnet: default }
`;
}

function proxmoxVm(i, nodes) {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: pve-${i}, labels: { tier: t${i % 4} } }
spec:
  provider: pve
  node: ${nodes[i % nodes.length]}
  cpu: { cores: ${1 + (i % 2)} }
  memory: ${[512, 1024][i % 2]}MiB
  disks: [{ size: ${1 + (i % 2)}GiB }]
  networks: [{ model: virtio${i % 5 === 0 ? ", vlan: 20" : ""} }]
  tags: [fleet, rack-${i % 8}]
  power: ${i % 10 === 9 ? "stopped" : "running"}
`;
}

function truenasVm(i) {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: nas-${i} }
spec:
  provider: nas
  cpu: { cores: ${1 + (i % 2)} }
  memory: 256MiB
  disks: [{ size: 1GiB }]
  networks: [{ model: virtio }]
  power: ${i % 10 === 9 ? "stopped" : "running"}
`;
}

function azureVm(i) {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: az-${i} }
spec:
  provider: cloud
  resourceGroup: rg-fleet-${Math.floor(i / 500)}
  size: ${["Standard_B2s", "Standard_D2s_v5"][i % 2]}
  memory: 4GiB
  image: { publisher: Canonical, offer: ubuntu-24_04-lts, sku: server }
  disks: [{ size: 32GiB }]
  cloudInit: { user: azureuser, sshKeys: ["${KEY}"] }
`;
}

/**
 * Writes the manifests of a fleet of `n` resources into `dir` (created): `providers.yaml` and
 * files of 100 VMs each. `only` limits the fleet to one provider (e.g. the 200-create scenario).
 * Returns the split.
 */
export async function writeFleet(dir, n, opts = {}) {
  await mkdir(dir, { recursive: true });
  // above 1,000 resources the 16 simulated nodes (128 GiB, 16 threads each) need overcommit for
  // the plan's capacity check; the 1,000 fleet stays within the defaults (and older versions' schema)
  const dense = n > 1000 ? "  capacity: { memoryOvercommit: 2, cpuOvercommit: 32 }\n" : "";
  await writeFile(join(dir, "providers.yaml"), providers({ ...opts, proxmoxExtra: `${opts.proxmoxExtra ?? ""}${dense}` }));
  const counts = opts.only ? { proxmox: 0, truenas: 0, azure: 0, [opts.only]: n } : split(n);
  const nodes = opts.nodes ?? Array.from({ length: 16 }, (_, i) => `pve${i + 1}`);
  const docs = [
    ...Array.from({ length: counts.proxmox }, (_, i) => ["pve", proxmoxVm(i, nodes)]),
    ...Array.from({ length: counts.truenas }, (_, i) => ["nas", truenasVm(i)]),
    ...Array.from({ length: counts.azure }, (_, i) => ["az", azureVm(i)]),
  ];
  for (let f = 0; f * 100 < docs.length; f++) {
    const chunk = docs.slice(f * 100, f * 100 + 100);
    await writeFile(join(dir, `${chunk[0][0]}-${String(f).padStart(4, "0")}.yaml`), chunk.map(([, d]) => d).join("---\n"));
  }
  return counts;
}
