import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connectProviders } from "../../../src/cli/connect.js";
import { loadManifests } from "../../../src/manifest/load.js";
import type { DesiredState } from "../../../src/manifest/model.js";
import { execute, type ExecuteResult } from "../../../src/reconcile/execute.js";
import type { ExecEvent } from "../../../src/reconcile/events.js";
import { observeAll, providersInUse } from "../../../src/reconcile/observe.js";
import { plan as computePlan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import { simEnvironment, startAllSims } from "../../../src/sim/run-all.js";
import type { SshSimHandle } from "../../../src/sim/ssh/index.js";
import type { SimHandle } from "../../../src/sim/handle.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import type { StateStore } from "../../../src/state/contract.js";

export const STACK = "guests";

/** Every simulator on port 0 with fast tasks, a manifest folder, a file state, and the sims' env. */
export interface GuestWorld {
  dir: string;
  env: Record<string, string>;
  guests: SshSimHandle;
  handles: SimHandle[];
  store: StateStore;
  write(files: Record<string, string>): Promise<void>;
  load(): Promise<DesiredState>;
  /** load → connect → observe → plan, and apply when asked (auto-approved). */
  reconcile(opts?: { apply?: boolean; allowMassDelete?: boolean }): Promise<{ plan: Plan; result?: ExecuteResult; events: ExecEvent[] }>;
  stop(): Promise<void>;
}

export async function startGuestWorld(opts: { bootMs?: number } = {}): Promise<GuestWorld> {
  const root = await mkdtemp(join(tmpdir(), "vmsync-guest-"));
  const sims = await startAllSims({ dir: join(root, "sim"), ports: { proxmox: 0, truenas: 0, azure: 0, guest: 0 }, knobs: { taskDurationMs: 5, guestBootMs: opts.bootMs ?? 0 } });
  const dir = join(root, "manifests");
  await mkdir(dir, { recursive: true });
  const env = { ...simEnvironment(sims.announcement), DISPLAY_PW: "display-secret" };
  const store = await openFileStateStore(dir);
  const load = async () => {
    const r = await loadManifests([dir], dir);
    if (r.errors) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.message}`).join("\n"));
    return r.desired;
  };
  return {
    dir, env, guests: sims.guests, handles: sims.handles, store, load,
    write: async (files) => {
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), text);
      }
    },
    reconcile: async ({ apply = false, allowMassDelete = false } = {}) => {
      const desired = await load();
      const state = await store.read();
      const conn = await connectProviders(providersInUse(desired, state), desired, { stack: STACK, env });
      const events: ExecEvent[] = [];
      try {
        const observed = await observeAll(conn.sessions, desired, state);
        const plan = computePlan({ stack: STACK, desired, observed, state, providers: conn.providers, options: { allowMassDelete } });
        if (!apply || plan.errors.length) return { plan, events };
        const never = new AbortController().signal;
        const result = await execute({ plan, sessions: conn.sessions, providers: conn.providers, store, limits: new Map(), parallelism: 8, runId: "test", stop: never, abort: never, onEvent: (e) => events.push(e) });
        return { plan, result, events };
      } finally {
        await conn.close();
      }
    },
    stop: async () => {
      await store.close();
      await sims.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Provider manifests for the three simulators (endpoints and secrets from the sims' env). */
export function providersYaml(ports: { proxmox: string; truenas: string; azure: string }): string {
  return `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: ${ports.proxmox}
  tls: { caFile: { env: VMSYNC_SIM_PROXMOX_CA } }
  auth: { tokenId: { env: VMSYNC_SIM_PROXMOX_TOKEN_ID }, tokenSecret: { env: VMSYNC_SIM_PROXMOX_TOKEN_SECRET } }
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
---
apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: nas }
spec:
  type: truenas
  endpoint: ${ports.truenas}
  tls: { caFile: { env: VMSYNC_SIM_TRUENAS_CA } }
  auth: { apiKey: { env: VMSYNC_SIM_TRUENAS_API_KEY } }
  defaults: { pool: tank, bridge: br0 }
---
apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: cloud }
spec:
  type: azure
  endpoint: ${ports.azure}
  tls: { caFile: { env: VMSYNC_SIM_AZURE_CA } }
  subscriptionId: { env: VMSYNC_SIM_AZURE_SUBSCRIPTION_ID }
  auth: { type: static-token, token: { env: VMSYNC_SIM_AZURE_TOKEN } }
  defaults: { resourceGroup: rg-guests, location: westeurope, vnet: vnet-guests, subnet: default }
`;
}

/** The guest section reaching a VM through the simulator's bastion, with extra lines (indented 4). */
export function guestYaml(port: string, extra = ""): string {
  return `  guest:
    ssh:
      user: ubuntu
      privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }
      connectTimeout: 5s
      readyTimeout: 60s
      via:
        address: 127.0.0.1
        port: ${port}
        user: vmsync
        privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }
        hostKey: { env: VMSYNC_SIM_GUEST_HOST_KEY }
${extra}`;
}
