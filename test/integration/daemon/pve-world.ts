import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import axios, { type AxiosInstance } from "axios";
import { startProxmoxSim, type ProxmoxSimHandle } from "../../../src/sim/proxmox/index.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/** The Provider manifest `pve` the watch tests use (endpoint, CA and token through {env}). */
export const pveProviderYaml = `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: pve
spec:
  type: proxmox
  endpoint: { env: PVE_ENDPOINT }
  tls: { caFile: { env: PVE_CA } }
  auth:
    tokenId: { env: PVE_TOKEN_ID }
    tokenSecret: { env: PVE_TOKEN_SECRET }
  concurrency: 4
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
`;

/**
 * A Proxmox simulator in a temp folder for the daemon's process tests: `api` talks to it directly
 * (to make changes behind vmsync's back and to check results), `env` holds what the manifests read.
 */
export interface PveWorld {
  tmp: TempTree;
  sim: ProxmoxSimHandle;
  api: AxiosInstance;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the simulator with fast tasks and no `/cluster/resources` lag. */
export async function startPveWorld(): Promise<PveWorld> {
  const tmp = await tempTree();
  const sim = await startProxmoxSim({ dir: join(tmp.dir, "sim"), clusterResourcesLagMs: 0, knobs: { taskDurationMs: 5 } });
  const api = axios.create({
    baseURL: `${sim.endpoint}/api2/json`, httpsAgent: new Agent({ ca: readFileSync(sim.caFile) }), validateStatus: () => true,
    headers: { Authorization: `PVEAPIToken=${sim.credentials.tokenId}=${sim.credentials.tokenSecret}` },
  });
  const env = { PVE_ENDPOINT: sim.endpoint, PVE_CA: sim.caFile, PVE_TOKEN_ID: sim.credentials.tokenId, PVE_TOKEN_SECRET: sim.credentials.tokenSecret };
  return { tmp, sim, api, env, close: async () => (await sim.close(), await tmp.cleanup()) };
}
