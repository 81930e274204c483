import { readFileSync } from "node:fs";
import { cp, readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import axios, { type AxiosInstance } from "axios";
import { simEnvironment, startAllSims } from "../../src/sim/run-all.js";
import type { SimHandle } from "../../src/sim/handle.js";
import { tempTree, type TempTree } from "./tmp.js";

/**
 * The three simulators on free loopback ports (fast tasks) and a copy of examples/clusters/demo
 * pointing at them, for e2e tests of the CLI against every provider. `env` is what the manifests
 * read; `pve` talks to the Proxmox simulator directly (changes behind vmsync's back, checks).
 */
export interface DemoWorld {
  tmp: TempTree;
  /** The manifest folder (its name, `demo`, is the stack). */
  dir: string;
  env: Record<string, string>;
  handles: SimHandle[];
  pve: AxiosInstance;
  close(): Promise<void>;
}

/** Starts the world (see DemoWorld). */
export async function startDemoWorld(): Promise<DemoWorld> {
  const tmp = await tempTree();
  const sims = await startAllSims({ dir: join(tmp.dir, "sim"), ports: { proxmox: 0, truenas: 0, azure: 0, guest: 0 }, knobs: { taskDurationMs: 5 } });
  const a = sims.announcement;
  const dir = join(tmp.dir, "demo");
  await cp(new URL("../../examples/clusters/demo", import.meta.url), dir, { recursive: true });
  const providers = join(dir, "providers.yaml");
  await writeFile(providers, (await readFile(providers, "utf8")).replace("https://127.0.0.1:18006", a.proxmox!.endpoint).replace("wss://127.0.0.1:18443", a.truenas!.endpoint).replace("https://127.0.0.1:18444", a.azure!.endpoint));
  // the guests' bastion (spec.guest.ssh.via, snippets.ssh.via) is on the port the OS chose
  for (const file of ["providers.yaml", "templates.yaml", "vms.yaml"]) {
    const path = join(dir, file);
    await writeFile(path, (await readFile(path, "utf8")).replaceAll("port: 18022", `port: ${a.guest!.port}`));
  }
  const env = { ...simEnvironment(a), VMSYNC_SIM_TRUENAS_DISPLAY_PASSWORD: "demo-display-secret", VMSYNC_DEMO_CT_ROOT_PASSWORD: "demo-container-secret", VMSYNC_AZURE_POLL_MS: "5" };
  const pve = axios.create({
    baseURL: `${a.proxmox!.endpoint}/api2/json`, httpsAgent: new Agent({ ca: readFileSync(a.proxmox!.caFile!) }), validateStatus: () => true,
    headers: { Authorization: `PVEAPIToken=${a.proxmox!.tokenId}=${a.proxmox!.tokenSecret}` },
  });
  return { tmp, dir, env, handles: sims.handles, pve, close: async () => (await sims.close(), await tmp.cleanup()) };
}

/** The vmid of the Proxmox guest named `name` on pve1. */
export async function vmidOf(w: DemoWorld, name: string): Promise<number> {
  const list = (await w.pve.get("/nodes/pve1/qemu")).data.data as Array<{ vmid: number; name: string }>;
  const g = list.find((x) => x.name === name);
  if (!g) throw new Error(`no guest ${name}`);
  return g.vmid;
}
