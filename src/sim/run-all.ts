import { join } from "node:path";
import type { SimHandle } from "./handle.js";
import type { SimKnobs } from "./knobs.js";
import { startAzureSim } from "./azure/index.js";
import { startProxmoxSim } from "./proxmox/index.js";
import { startSshSim, type SshSimHandle } from "./ssh/index.js";
import { startTruenasSim } from "./truenas/index.js";

/** Fixed default loopback ports of `vmsync sim`; examples/clusters/demo points at them. */
export const DEFAULT_SIM_PORTS = { proxmox: 18006, truenas: 18443, azure: 18444, guest: 18022 } as const;

/** Options of `startAllSims`. Ports default to DEFAULT_SIM_PORTS (0 picks free ports). */
export interface AllSimsOptions {
  dir: string;
  knobs?: Partial<SimKnobs>;
  ports?: Partial<Record<keyof typeof DEFAULT_SIM_PORTS, number>>;
}

/**
 * The JSON line `vmsync sim` prints: per simulator its endpoint, credentials and CA file (`guest`,
 * the SSH bastion to the simulated guests, has no CA file but its host key fingerprint).
 */
export type SimAnnouncement = Record<string, { endpoint: string } & Record<string, string>>;

/**
 * Starts every simulator (each persisting its world under `dir/<name>/`) on loopback, then the SSH
 * simulator serving their VMs' guests through one bastion. If one fails to start, the ones already
 * started are closed. Returns the handles and the announcement.
 */
export async function startAllSims(opts: AllSimsOptions): Promise<{ handles: SimHandle[]; guests: SshSimHandle; announcement: SimAnnouncement; close: () => Promise<void> }> {
  const handles: SimHandle[] = [];
  let guests: SshSimHandle | undefined;
  const close = async () => {
    await guests?.close();
    await Promise.allSettled(handles.map((h) => h.close()));
  };
  const port = (name: keyof typeof DEFAULT_SIM_PORTS) => opts.ports?.[name] ?? DEFAULT_SIM_PORTS[name];
  const knobs = opts.knobs ?? {};
  try {
    handles.push(await startProxmoxSim({ dir: join(opts.dir, "proxmox"), port: port("proxmox"), knobs }));
    handles.push(await startTruenasSim({ dir: join(opts.dir, "truenas"), port: port("truenas"), knobs }));
    handles.push(await startAzureSim({ dir: join(opts.dir, "azure"), port: port("azure"), knobs }));
    const directories = handles.flatMap((h) => (h.directory ? [h.directory] : []));
    guests = await startSshSim({ dir: join(opts.dir, "guest"), port: port("guest"), directories, bootMs: () => knobs.guestBootMs ?? 0 });
  } catch (err) {
    await close();
    throw err;
  }
  const announcement: SimAnnouncement = {};
  for (const h of handles) announcement[h.name] = { endpoint: h.endpoint, caFile: h.caFile, ...h.credentials };
  announcement.guest = { endpoint: guests!.endpoint, ...guests!.credentials };
  return { handles, guests: guests!, announcement, close };
}

/**
 * Environment variables that examples/clusters/demo reads, from an announcement:
 * VMSYNC_SIM_<NAME>_CA and VMSYNC_SIM_<NAME>_<CREDENTIAL> (credential names in upper snake case).
 */
export function simEnvironment(a: SimAnnouncement): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, info] of Object.entries(a)) {
    const prefix = `VMSYNC_SIM_${name.toUpperCase()}`;
    for (const [k, v] of Object.entries(info)) {
      const key = k === "caFile" ? "CA" : k.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
      env[`${prefix}_${key}`] = v;
    }
  }
  return env;
}
