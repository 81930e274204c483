// The three simulators of a benchmark run, in this process (the CLI under test runs as a child, so
// the two share the machine's two cores the way a user's laptop and a LAN server would not — the
// figures are for comparing within one run). Loaded from a dist/ folder, so that a "before" build
// can be measured against its own simulators.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The nodes of the simulated Proxmox cluster. */
export const PROXMOX_NODES = Array.from({ length: 16 }, (_, i) => `pve${i + 1}`);

/**
 * Starts Proxmox VE (nodes pve1 … pve16), TrueNAS and Azure simulators persisting under `dir`, with
 * `latencyMs` added to every request. Returns the environment the fleet manifests read, a way to
 * change latency, request counters and `close()`.
 */
export async function startSims({ dist, dir, latencyMs = 0 }) {
  const load = (p) => import(pathToFileURL(join(dist, p)).href);
  const [{ startProxmoxSim }, { startTruenasSim }, { startAzureSim }, { simEnvironment }] = await Promise.all([
    load("sim/proxmox/index.js"), load("sim/truenas/index.js"), load("sim/azure/index.js"), load("sim/run-all.js"),
  ]);
  const knobs = { latencyMs };
  // a cluster and a subscription big enough for the fleets: 16 Proxmox nodes, an Azure vCPU quota
  // that a 10,000-resource fleet fits in (plans check capacity and quota before they create)
  const quota = { cores: 100_000, standardBSFamily: 100_000, standardDSv5Family: 100_000 };
  const handles = [
    await startProxmoxSim({ dir: join(dir, "proxmox"), knobs, clusterResourcesLagMs: 0, nodes: PROXMOX_NODES }),
    await startTruenasSim({ dir: join(dir, "truenas"), knobs, rateLimit: { max: 1_000_000 } }),
    await startAzureSim({ dir: join(dir, "azure"), knobs: { ...knobs, vcpuQuota: quota } }),
  ];
  const announcement = Object.fromEntries(handles.map((h) => [h.name, { endpoint: h.endpoint, caFile: h.caFile, ...h.credentials }]));
  const byName = Object.fromEntries(handles.map((h) => [h.name, h]));
  return {
    env: simEnvironment(announcement),
    byName,
    setLatency(ms) {
      for (const h of handles) h.setKnobs({ latencyMs: ms });
    },
    /** Requests served so far: per simulator the total and the counts by endpoint. */
    requests() {
      return Object.fromEntries(handles.map((h) => {
        const detail = typeof h.requests === "function" ? h.requests() : {};
        return [h.name, { total: Object.values(detail).reduce((a, b) => a + b, 0), detail }];
      }));
    },
    close: () => Promise.all(handles.map((h) => h.close())),
  };
}

/** The requests made between two `requests()` snapshots, per simulator (total and busiest endpoints). */
export function requestDelta(before, after) {
  const out = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name]?.detail ?? {};
    const detail = {};
    for (const [label, n] of Object.entries(a.detail)) if (n - (b[label] ?? 0) > 0) detail[label] = n - (b[label] ?? 0);
    const top = Object.entries(detail).sort((x, y) => y[1] - x[1]).slice(0, 6);
    out[name] = { total: Object.values(detail).reduce((x, y) => x + y, 0), top: Object.fromEntries(top) };
  }
  return out;
}
