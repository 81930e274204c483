import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { startProxmoxSim, type ProxmoxSimHandle, type ProxmoxSimOptions } from "../../../src/sim/proxmox/index.js";

/** A started simulator with a token-authenticated client; `stop()` closes it and removes its folder. */
export interface Harness {
  sim: ProxmoxSimHandle;
  dir: string;
  api: AxiosInstance;
  /** A client with no credentials (for auth tests). */
  anon: AxiosInstance;
  stop(keepDir?: boolean): Promise<void>;
}

/** Creates an axios client that trusts the simulator's CA (TLS verification stays on). */
export function client(sim: ProxmoxSimHandle, headers: Record<string, string> = {}): AxiosInstance {
  return axios.create({
    baseURL: `${sim.endpoint}/api2/json`,
    httpsAgent: new Agent({ ca: readFileSync(sim.caFile), keepAlive: true }),
    headers,
    validateStatus: () => true,
  });
}

/** Starts a simulator in a fresh temp dir (fast tasks, no RRD lag unless overridden). */
export async function startHarness(opts: Partial<ProxmoxSimOptions> = {}, dir?: string): Promise<Harness> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), "pve-sim-")));
  const sim = await startProxmoxSim({ dir: d, clusterResourcesLagMs: 0, ...opts, knobs: { taskDurationMs: 10, ...opts.knobs } });
  const api = client(sim, { Authorization: `PVEAPIToken=${sim.credentials.tokenId}=${sim.credentials.tokenSecret}` });
  return {
    sim,
    dir: d,
    api,
    anon: client(sim),
    stop: async (keepDir = false) => {
      await sim.close();
      // a worker finishing as the server closes may still be renaming its file: rm retries ENOTEMPTY
      if (!keepDir) await rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Polls a task until it stops; returns its status object. */
export async function waitTask(api: AxiosInstance, upid: string): Promise<Record<string, unknown>> {
  const node = upid.split(":")[1];
  for (let i = 0; i < 500; i++) {
    const r = await api.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
    if (r.status >= 500) continue; // transient (injected) fault: poll again, as real clients do
    if (r.status !== 200) throw new Error(`task status ${r.status} ${r.statusText}`);
    if (r.data.data.status === "stopped") return r.data.data as Record<string, unknown>;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error("task did not finish");
}

/** Expects a 200 UPID answer, waits for the task and returns its exit status. */
export async function runTask(resp: Promise<AxiosResponse> | AxiosResponse, api: AxiosInstance): Promise<string> {
  const r = await resp;
  if (r.status !== 200) throw new Error(`expected UPID, got ${r.status} ${r.statusText} ${JSON.stringify(r.data)}`);
  const upid = r.data.data as string;
  return String((await waitTask(api, upid)).exitstatus);
}

/** Creates VM `vmid` on `node` with `params` (form-encoded) and waits; returns the exit status. */
export async function createVm(api: AxiosInstance, vmid: number, params: Record<string, string | number> = {}, node = "pve1"): Promise<string> {
  const body = new URLSearchParams({ vmid: String(vmid), ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return runTask(api.post(`/nodes/${node}/qemu`, body), api);
}

/** Form-encodes `params` (axios sends URLSearchParams as application/x-www-form-urlencoded). */
export function form(params: Record<string, string | number>): URLSearchParams {
  return new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
}
