/**
 * Shared setup of the TrueNAS provider tests: a simulator per test file (fast jobs, a relaxed
 * unauthenticated rate limit because the tests log in often), a Provider config pointing at it with
 * the simulator's CA and credentials from an env map, desired resources built by hand, and an
 * operation context.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DesiredProvider, DesiredResource, ResourceKind } from "../../../src/manifest/model.js";
import type { OperationContext, ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider } from "../../../src/providers/truenas/index.js";
import { startTruenasSim, type TruenasSimHandle } from "../../../src/sim/truenas/index.js";

/** The two versions the key cases run against: legacy-only with top-level dtype, and JSON-RPC with attributes.dtype. */
export const VERSIONS = ["24.10.2", "25.10.1"] as const;

/** Version × transport combinations of the operation tests: both protocols and both device shapes. */
export const CASES: Array<[version: string, transport: "auto" | "legacy" | "jsonrpc"]> = [
  ["24.10.2", "auto"], // legacy protocol (no JSON-RPC), top-level dtype
  ["25.10.1", "jsonrpc"], // JSON-RPC, attributes.dtype
  ["25.10.1", "legacy"], // legacy protocol on 25.10: attributes.dtype over /websocket
];

/** A running simulator and its temp dir. */
export type Sim = TruenasSimHandle & { dispose(): Promise<void> };

/** Starts a simulator in a fresh temp dir. */
export async function startSim(version: string, knobs: { taskDurationMs?: number; faultRate?: number; seed?: number } = {}): Promise<Sim> {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-truenas-"));
  const h = await startTruenasSim({ dir, version, knobs: { taskDurationMs: 10, ...knobs }, rateLimit: { max: 10_000 } });
  return Object.assign(h, { dispose: async () => { await h.close(); await rm(dir, { recursive: true, force: true }); } });
}

/** Env holding the simulator's secrets and a display password. */
export function envOf(h: TruenasSimHandle): NodeJS.ProcessEnv {
  return { NAS_API_KEY: h.credentials.apiKey, NAS_USER: h.credentials.username, NAS_PASSWORD: h.credentials.password, NAS_CA: h.caFile, DISPLAY_PW: "s3cret", NAS_ENDPOINT: h.endpoint };
}

/** A Provider config for the simulator. */
export function providerOf(h: TruenasSimHandle, opts: { transport?: "auto" | "jsonrpc" | "legacy"; password?: boolean; rateLimit?: number } = {}): DesiredProvider {
  return {
    name: "nas",
    spec: {
      type: "truenas", endpoint: { env: "NAS_ENDPOINT" }, tls: { caFile: { env: "NAS_CA" } },
      auth: opts.password ? { username: { env: "NAS_USER" }, password: { env: "NAS_PASSWORD" } } : { apiKey: { env: "NAS_API_KEY" } },
      transport: opts.transport ?? "auto", rateLimit: opts.rateLimit ?? 500, defaults: { pool: "tank", bridge: "br0" },
    },
    source: { file: "providers.yaml", line: 1, column: 1 }, baseDir: tmpdir(), root: tmpdir(),
  };
}

/** Opens a session; `requests` collects the method of every request. */
export async function connect(h: TruenasSimHandle, opts: Parameters<typeof providerOf>[1] & { stack?: string } = {}): Promise<{ session: ProviderSession; requests: string[]; config: DesiredProvider }> {
  const requests: string[] = [];
  const config = providerOf(h, opts);
  const session = await truenasProvider.connect(config, { stack: opts.stack ?? "test", env: envOf(h), onRequest: (r) => requests.push(r.method) });
  return { session, requests, config };
}

/** A desired resource of `kind` on provider `nas`. */
export function resource<K extends ResourceKind>(kind: K, name: string, spec: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource<K> {
  return {
    address: `${kind}/${name}`, kind, name, labels: {}, provider: "nas", ...(kind === "VirtualMachine" ? { externalName: name.replace(/-/g, "_") } : {}),
    spec: spec as never, lifecycle: { protect: false, ignoreChanges: [], updatePolicy: "in-place-only", suspend: false }, dependsOn: [],
    source: { file: "fleet.yaml", line: 1, column: 1 }, ...extra,
  } as DesiredResource<K>;
}

/** An operation context with a generous deadline. */
export function op(): OperationContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 60_000 };
}

/** The Provider manifest `nas` for a simulator started with `startSim`, reading everything from `envOf`'s variables. */
export const providerYamlFromEnv = `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: nas }
spec:
  type: truenas
  endpoint: { env: NAS_ENDPOINT }
  tls: { caFile: { env: NAS_CA } }
  auth: { apiKey: { env: NAS_API_KEY } }
  defaults: { pool: tank, bridge: br0 }
`;
