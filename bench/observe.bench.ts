import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { bench, describe } from "vitest";
import type { DesiredProvider } from "../src/manifest/model.js";
import { proxmoxProvider } from "../src/providers/proxmox/index.js";
import { truenasProvider } from "../src/providers/truenas/index.js";
import { startProxmoxSim } from "../src/sim/proxmox/index.js";
import { startTruenasSim } from "../src/sim/truenas/index.js";

/**
 * Bulk observation of a fleet of N VMs through the real providers over real sockets: wall time
 * per observe (vitest bench) and API requests per observe (written to
 * bench/results/observe-requests.json). Proxmox needs one config read per VM (bounded
 * concurrency); TrueNAS answers the whole fleet in a handful of list calls.
 */
const N = Number(process.env.VMSYNC_BENCH_VMS ?? 1000);
const requests: Record<string, number> = {};
const scope = { kinds: ["VirtualMachine" as const, "NfsShare" as const], externalIds: [], names: [] };
const dir = mkdtempSync(join(tmpdir(), "vmsync-bench-observe-"));

const pve = await startProxmoxSim({ dir: join(dir, "pve"), clusterResourcesLagMs: 0, knobs: { taskDurationMs: 0 } });
const pveConfig: DesiredProvider = {
  name: "pve", baseDir: dir, root: dir, source: { file: "b.yaml", line: 1, column: 1 },
  spec: { type: "proxmox", endpoint: pve.endpoint, tls: { caFile: pve.caFile }, auth: { tokenId: pve.credentials.tokenId, tokenSecret: { env: "PVE_SECRET" } }, rateLimit: 1000, concurrency: 8, defaults: { node: "pve1", storage: "local-lvm", bridge: "vmbr0" } },
};
const pveEnv = { PVE_SECRET: pve.credentials.tokenSecret };
{
  const seed = await proxmoxProvider.connect(pveConfig, { stack: "bench", env: pveEnv });
  const limit = pLimit(16);
  const spec = { node: "pve1", name: "x", cpu: { cores: 1, sockets: 1, type: null }, memory: 512, disks: [{ slot: "scsi0", storage: "local-lvm", size: 1024 }], bootDisk: "scsi0", networks: [{ model: "virtio", bridge: "vmbr0", vlan: null }], cloudInit: null, iso: null, tags: ["bench"], description: "", autostart: false, power: "stopped", clone: null };
  await Promise.all(Array.from({ length: N }, (_, i) => limit(() => seed.create({ address: `VirtualMachine/vm-${i}`, kind: "VirtualMachine", name: `vm-${i}`, spec: { ...spec, name: `vm-${i}` }, marker: { stack: "bench", address: `VirtualMachine/vm-${i}` } }, { signal: new AbortController().signal, deadline: Date.now() + 600_000 }))));
  await seed.close();
}

const nas = await startTruenasSim({ dir: join(dir, "nas"), knobs: { taskDurationMs: 0 }, rateLimit: { max: 100_000 } });
const nasConfig: DesiredProvider = {
  name: "nas", baseDir: dir, root: dir, source: { file: "b.yaml", line: 1, column: 1 },
  spec: { type: "truenas", endpoint: nas.endpoint, tls: { caFile: nas.caFile }, auth: { apiKey: { env: "NAS_KEY" } }, rateLimit: 1000, defaults: { pool: "tank", bridge: "br0" } },
};
const nasEnv = { NAS_KEY: nas.credentials.apiKey };
for (let i = 0; i < N; i++) await nas.admin("vm.create", [{ name: `vm_${i}`, memory: 512, vcpus: 1, cores: 1, threads: 1 }]);

async function observeOnce(provider: typeof proxmoxProvider, config: DesiredProvider, env: Record<string, string>, key: string): Promise<void> {
  let count = 0;
  const session = await provider.connect(config, { stack: "bench", env, onRequest: () => void count++ });
  const seen = await session.observe(scope);
  await session.close();
  if (seen.filter((o) => o.kind === "VirtualMachine").length < N) throw new Error(`${key}: observed fewer than ${N} VMs`);
  requests[key] = count;
  writeFileSync("bench/results/observe-requests.json", JSON.stringify({ vms: N, requestsPerObserve: requests }, null, 2) + "\n");
}

describe(`observe ${N} VMs`, () => {
  bench(`proxmox: connect + observe ${N} VMs`, () => observeOnce(proxmoxProvider, pveConfig, pveEnv, "proxmox"), { iterations: 5, warmupIterations: 1 });
  bench(`truenas: connect + observe ${N} VMs`, () => observeOnce(truenasProvider, nasConfig, nasEnv, "truenas"), { iterations: 5, warmupIterations: 1 });
});
