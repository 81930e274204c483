import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadManifests } from "../../../src/manifest/load.js";
import type { DesiredProvider, DesiredResource, DesiredState } from "../../../src/manifest/model.js";
import type { ConnectOptions, ObservedResource, OperationContext, Provider, ProviderSession } from "../../../src/providers/contract.js";
import { connectProxmox, proxmoxProvider, type ProxmoxSession, type ProxmoxTuning } from "../../../src/providers/proxmox/index.js";
import { execute } from "../../../src/reconcile/execute.js";
import { observeAll } from "../../../src/reconcile/observe.js";
import { plan, type PlanOptions } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/plan-types.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import type { StateStore } from "../../../src/state/contract.js";
import { startProxmoxSim, type ProxmoxSimHandle, type ProxmoxSimOptions } from "../../../src/sim/proxmox/index.js";

export const STACK = "test";

/** A simulator plus a manifest folder; `env` holds the secrets the manifests reference. */
export interface World {
  sim: ProxmoxSimHandle;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Writes manifest files (relative path → YAML) into the manifest folder. */
  write(files: Record<string, string>): Promise<void>;
  load(): Promise<DesiredState>;
  stop(): Promise<void>;
}

/** Starts a simulator with fast tasks and no `/cluster/resources` lag unless told otherwise. */
export async function startWorld(opts: Partial<ProxmoxSimOptions> = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-pve-"));
  const sim = await startProxmoxSim({ dir: join(dir, "sim"), clusterResourcesLagMs: 0, ...opts, knobs: { taskDurationMs: 5, ...opts.knobs } });
  const env = { PVE_ENDPOINT: sim.endpoint, PVE_CA: sim.caFile, PVE_TOKEN_ID: sim.credentials.tokenId, PVE_TOKEN_SECRET: sim.credentials.tokenSecret, PVE_PASSWORD: sim.credentials.password };
  const mdir = join(dir, "manifests");
  await mkdir(mdir, { recursive: true });
  return {
    sim, dir: mdir, env,
    write: async (files) => {
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(mdir, rel)), { recursive: true });
        await writeFile(join(mdir, rel), text);
      }
    },
    load: async () => {
      const r = await loadManifests([mdir], mdir);
      if (r.errors) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`).join("\n"));
      return r.desired;
    },
    stop: async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Provider manifest `pve` pointing at the simulator (endpoint, CA and token through {env}). */
export function providerYaml(o: { auth?: "token" | "password"; rateLimit?: number; concurrency?: number; ca?: boolean; name?: string } = {}): string {
  const auth = o.auth === "password"
    ? "  auth:\n    username: root@pam\n    password: { env: PVE_PASSWORD }\n"
    : "  auth:\n    tokenId: { env: PVE_TOKEN_ID }\n    tokenSecret: { env: PVE_TOKEN_SECRET }\n";
  return `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: ${o.name ?? "pve"}
spec:
  type: proxmox
  endpoint: { env: PVE_ENDPOINT }
${o.ca === false ? "" : "  tls:\n    caFile: { env: PVE_CA }\n"}${auth}  rateLimit: ${o.rateLimit ?? 1000}
  concurrency: ${o.concurrency ?? 5}
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
`;
}

/** A VirtualMachine manifest on `pve` with extra spec lines (two-space indented YAML). */
export function vmYaml(name: string, extra = ""): string {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  provider: pve
${extra}`;
}

/** Connects to provider `pve` of the loaded manifests. */
export async function connect(w: World, desired: DesiredState, over: Partial<ConnectOptions> = {}, tuning: ProxmoxTuning = {}): Promise<ProxmoxSession> {
  return connectProxmox(providerOf(desired), { stack: STACK, env: w.env, ...over }, tuning);
}

export function providerOf(desired: DesiredState, name = "pve"): DesiredProvider {
  return desired.providers.get(name)!;
}

/** A desired resource by address. */
export function resource(desired: DesiredState, address: string): DesiredResource {
  const r = desired.resources.find((x) => x.address === address) ?? [...desired.templates.values()].find((x) => x.address === address);
  if (!r) throw new Error(`no ${address}`);
  return r;
}

/** An operation context with a generous deadline. */
export function op(ms = 60_000): OperationContext {
  return { signal: new AbortController().signal, deadline: Date.now() + ms };
}

/** Creates one desired resource through the session directly. */
export async function createOne(session: ProxmoxSession, desired: DesiredState, address: string): Promise<ObservedResource> {
  const r = resource(desired, address);
  const spec = proxmoxProvider.canonicalize(r, providerOf(desired, r.provider));
  return session.create({ address, kind: r.kind, name: r.externalName ?? r.name, spec, marker: { stack: STACK, address } }, op());
}

/** Observes the one object at `externalId` (scope: everything). */
export async function observeOne(session: ProxmoxSession, externalId: string): Promise<ObservedResource | undefined> {
  const all = await session.observe({ kinds: ["VirtualMachine", "VmTemplate", "NfsShare"], externalIds: [externalId], names: [] });
  return all.find((o) => o.externalId === externalId);
}

/** The canonical desired spec of `address`. */
export function desiredSpec(desired: DesiredState, address: string): Record<string, unknown> {
  const r = resource(desired, address);
  return proxmoxProvider.canonicalize(r, providerOf(desired, r.provider));
}

/** Loads, observes, plans (and with `apply`, executes) against a file state store in `stateDir`. */
export async function reconcile(w: World, opts: { apply: boolean; stateDir?: string; planOptions?: PlanOptions; store?: StateStore; onRequest?: ConnectOptions["onRequest"] }): Promise<{ plan: Plan; result?: Awaited<ReturnType<typeof execute>> }> {
  const desired = await w.load();
  const store = opts.store ?? (await openFileStateStore(opts.stateDir ?? w.dir));
  const session = await connect(w, desired, opts.onRequest ? { onRequest: opts.onRequest } : {});
  try {
    const state = await store.read();
    const sessions = new Map<string, ProviderSession>([["pve", session]]);
    const providers = new Map<string, Provider>([["pve", proxmoxProvider]]);
    if (desired.providers.has("nas")) {
      sessions.set("nas", await exporterStub.connect(providerOf(desired, "nas"), { stack: STACK, env: w.env }));
      providers.set("nas", exporterStub);
    }
    const observed = await observeAll(sessions, desired, state);
    const p = plan({ stack: STACK, desired, observed, state, providers, options: { allowMassDelete: true, ...opts.planOptions } });
    if (!opts.apply) return { plan: p };
    const result = await execute({
      plan: p, sessions, providers, store,
      limits: new Map([["pve", { concurrency: 5, stepTimeoutMs: 60_000 }]]), parallelism: 10, runId: `run-${Date.now()}`,
      stop: new AbortController().signal, abort: new AbortController().signal, onEvent: () => {},
      retry: { attempts: 6, baseMs: 20, maxMs: 200 },
    });
    return { plan: p, result };
  } finally {
    await session.close();
    if (!opts.store) await store.close();
  }
}

/** Raw API access to the simulator as root (token), for setting up drift and checking results. */
export async function pveApi(w: World, method: string, path: string, params: Record<string, string | number> = {}): Promise<{ status: number; data: unknown; statusText: string }> {
  const { default: axios } = await import("axios");
  const { Agent } = await import("node:https");
  const { readFileSync } = await import("node:fs");
  const body = new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
  const r = await axios.request({
    method, url: `${w.sim.endpoint}/api2/json${path}`, httpsAgent: new Agent({ ca: readFileSync(w.sim.caFile) }),
    headers: { Authorization: `PVEAPIToken=${w.sim.credentials.tokenId}=${w.sim.credentials.tokenSecret}` }, validateStatus: () => true,
    ...(method === "GET" || method === "DELETE" ? { params: body } : { data: body }),
  });
  return { status: r.status, data: (r.data as { data?: unknown })?.data, statusText: r.statusText };
}

/** Waits for a UPID returned by `pveApi`. */
export async function waitUpid(w: World, upid: unknown): Promise<string> {
  const node = String(upid).split(":")[1];
  for (let i = 0; i < 1000; i++) {
    const r = await pveApi(w, "GET", `/nodes/${node}/tasks/${encodeURIComponent(String(upid))}/status`);
    const d = r.data as { status?: string; exitstatus?: string } | undefined;
    if (d?.status === "stopped") return String(d.exitstatus);
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error("task did not finish");
}

/** All guests in the simulator (vmid, name, node). */
export async function allGuests(w: World): Promise<Array<{ vmid: number; name: string; node: string; status: string }>> {
  const out: Array<{ vmid: number; name: string; node: string; status: string }> = [];
  for (const node of ["pve1", "pve2"]) {
    const r = await pveApi(w, "GET", `/nodes/${node}/qemu`);
    for (const g of r.data as Array<{ vmid: number; name: string; status: string }>) out.push({ ...g, node });
  }
  return out;
}

/**
 * Stands in for the TrueNAS side of an NfsShare (that provider is not under test here): every
 * NfsShare exported by `nas` already exists with this stack's marker, so its steps are no-ops.
 */
export const exporterStub: Provider = {
  type: "truenas",
  canonicalize: (r) => ({ name: r.name }),
  diff: () => [],
  sensitivePaths: () => [],
  connect: async () => ({
    observe: async () => [{ kind: "NfsShare", externalId: "nas:media", name: "media", marker: { stack: STACK, address: "NfsShare/media" }, spec: { name: "media" } }],
    create: async () => { throw new Error("not under test"); },
    update: async () => { throw new Error("not under test"); },
    delete: async () => {},
    close: async () => {},
  }),
};

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { retryable?: boolean; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { retryable?: boolean };
  }
  throw new Error("expected a failure");
}
