import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { SimHandle, SimStartOptions } from "../handle.js";
import { defaultKnobs, type SimKnobs } from "../knobs.js";
import { loadOrCreateCertificate } from "../tls.js";
import { Authenticator } from "./auth.js";
import { SimContext } from "./context.js";
import { proxmoxGuestDirectory } from "./guest-directory.js";
import { buildRouter } from "./routes.js";
import { createListener } from "./server.js";
import { createWorld, type StorageConfig } from "./world.js";
import { loadWorld } from "./world-store.js";

export type { StorageConfig } from "./world.js";

/** Options of `startProxmoxSim` beyond the common ones. Node/storage lists only shape a new world. */
export interface ProxmoxSimOptions extends SimStartOptions {
  /** Cluster nodes of a fresh world (default `pve1`, `pve2`). */
  nodes?: string[];
  /** storage.cfg sections of a fresh world (default `local` dir + `local-lvm` lvmthin). */
  storages?: StorageConfig[];
  /** How far `/cluster/resources` lags behind writes, ms (default 10000, pvestatd's cycle). */
  clusterResourcesLagMs?: number;
  /** Ticket and CSRF token lifetime, ms (default 2 h). */
  ticketLifetimeMs?: number;
  /** Per-guest flock wait before `got timeout`, ms (default 10000; clone waits min(1000, this)). */
  lockTimeoutMs?: number;
  /** Delay before every 401, ms (PVE: 3000; default 0 to keep tests fast). */
  unauthorizedDelayMs?: number;
}

/** Credentials of the simulated `root@pam` user and its API token (test secrets, persisted with the world). */
export interface ProxmoxCredentials extends Record<string, string> {
  tokenId: string;
  tokenSecret: string;
  username: string;
  password: string;
}

/** A running Proxmox VE simulator. `endpoint` is `https://127.0.0.1:PORT` (clients append `/api2/json`). */
export interface ProxmoxSimHandle extends SimHandle {
  name: "proxmox";
  credentials: ProxmoxCredentials;
  /** Changes knobs at runtime; setting `seed` restarts the fault sequence. */
  setKnobs(partial: Partial<SimKnobs>): void;
  /** Current knobs. */
  knobs(): SimKnobs;
}

/** The API token id the simulator issues. */
export const TOKEN_ID = "root@pam!vmsync";

/**
 * Starts a loopback HTTPS Proxmox VE API simulator persisting its world in `opts.dir`
 * (`proxmox-world.json`, reloaded on the next start, so separate runs see the same cluster).
 */
export async function startProxmoxSim(opts: ProxmoxSimOptions): Promise<ProxmoxSimHandle> {
  const cert = await loadOrCreateCertificate(opts.dir, "proxmox-sim");
  const world = (await loadWorld(opts.dir)) ?? createWorld({ ...(opts.nodes ? { nodes: opts.nodes } : {}), ...(opts.storages ? { storages: opts.storages } : {}) });
  world.generation++;
  const credentials: ProxmoxCredentials = { tokenId: TOKEN_ID, tokenSecret: world.tokenSecret, username: "root@pam", password: world.password };
  const auth = new Authenticator(
    world.authKey,
    new Map([[credentials.username, credentials.password]]),
    new Map([[credentials.tokenId, credentials.tokenSecret]]),
    opts.ticketLifetimeMs ?? 2 * 3600 * 1000,
  );
  const sim = new SimContext(world, opts.dir, { ...defaultKnobs, ...opts.knobs }, {
    clusterResourcesLagMs: opts.clusterResourcesLagMs ?? 10_000,
    lockTimeoutMs: opts.lockTimeoutMs ?? 10_000,
    unauthorizedDelayMs: opts.unauthorizedDelayMs ?? 0,
  }, auth);
  sim.changed();
  await sim.store.flush();
  const server: Server = createServer({ key: cert.key, cert: cert.cert }, createListener(sim, buildRouter()));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    name: "proxmox",
    endpoint: `https://127.0.0.1:${port}`,
    caFile: cert.caFile,
    credentials,
    setKnobs: (partial) => sim.setKnobs(partial),
    knobs: () => ({ ...sim.knobs }),
    directory: proxmoxGuestDirectory(sim),
    requests: () => sim.requests.snapshot(),
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await sim.tasks.drain();
        await sim.store.flush();
      })();
      return closing;
    },
  };
}
