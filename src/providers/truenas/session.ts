/**
 * Opening a TrueNAS session from a Provider manifest: endpoint (`wss://`, or `https://` read as
 * `wss://`; plain `ws://`/`http://` is refused — API keys sent over it are revoked by 25.04+),
 * TLS with the CA file of `spec.tls.caFile` added to the system roots (verification is never
 * turned off), credentials from secret references, `spec.rateLimit`, `spec.transport`, then the
 * version-specific dialect. The returned session dispatches each kind to its operations.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { DesiredProvider } from "../../manifest/model.js";
import type { TruenasProviderSpec } from "../../manifest/schema/index.js";
import { readSecret, readSetting } from "../../manifest/secrets.js";
import { ProviderError, type ConnectOptions, type ProviderSession } from "../contract.js";
import { readTruenasCapacity } from "./capacity.js";
import { TruenasClient, type Credentials } from "./client.js";
import { dialectOf, type SessionContext } from "./context.js";
import { doing } from "./errors.js";
import { observeAll } from "./observe.js";
import { createSchedule, deleteSchedule, updateSchedule } from "./schedule-ops.js";
import { createShare, deleteShare, updateShare } from "./share-ops.js";
import { truenasSnapshots } from "./snapshots.js";
import { createVm, deleteVm, updateVm } from "./vm-ops.js";
import { truenasPower } from "./vm-power.js";
import { parseSecretRef } from "./vm-spec.js";
import { DEFAULT_RATE_LIMIT } from "../defaults.js";
import { contextTrusting } from "../tls-context.js";

/** `wss://host[:port]` of an endpoint setting; refuses anything without TLS. */
export function websocketBase(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol !== "wss:") throw new ProviderError(`endpoint ${endpoint} is not TLS: use https:// or wss:// (TrueNAS revokes API keys used without TLS)`, { code: "TRUENAS_INSECURE", retryable: false });
  return `wss://${url.host}`;
}

async function settings(config: DesiredProvider, env: NodeJS.ProcessEnv) {
  const spec = config.spec as TruenasProviderSpec;
  const base = websocketBase(readSetting(spec.endpoint, env)!);
  const caFile = readSetting(spec.tls?.caFile, env);
  const secureContext = caFile ? contextTrusting(await readFile(resolve(config.baseDir, caFile), "utf8")) : undefined;
  const auth = spec.auth;
  const credentials: Credentials = "apiKey" in auth
    ? { apiKey: await readSecret(auth.apiKey, config.baseDir, env) }
    : { username: readSetting(auth.username, env)!, password: await readSecret(auth.password, config.baseDir, env) };
  return { spec, base, tls: { ...(secureContext ? { secureContext } : {}), ...(spec.tls?.serverName ? { servername: spec.tls.serverName } : {}) }, credentials };
}

/** Opens a session (see module comment). */
export function connectTruenas(config: DesiredProvider, options: ConnectOptions): Promise<ProviderSession> {
  return doing(`cannot connect to truenas ${config.name}`, async () => {
    if (config.spec.type !== "truenas") throw new ProviderError(`provider ${config.name} is ${config.spec.type}, not truenas`, { code: "TRUENAS_WRONG_TYPE", retryable: false });
    const s = await settings(config, options.env);
    const client = await TruenasClient.connect({
      name: config.name, base: s.base, transport: s.spec.transport ?? "auto", tls: s.tls, credentials: s.credentials,
      rateLimit: s.spec.rateLimit ?? DEFAULT_RATE_LIMIT.truenas, ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    const read = async (ref: string) => {
      const parsed = parseSecretRef(ref);
      if (!parsed) throw new ProviderError(`"${ref}" is not a secret reference`, { code: "TRUENAS_SECRET", retryable: false });
      return readSecret(parsed, config.baseDir, options.env);
    };
    const ctx: SessionContext = {
      client, dialect: dialectOf(client.versionString), stack: options.stack, provider: config.name,
      ...(s.spec.defaults?.pool ? { pool: s.spec.defaults.pool } : {}),
      readSecret: read,
      tryReadSecret: (ref) => read(ref).catch(() => undefined),
    };
    return {
      observe: (scope) => doing(`cannot observe truenas ${config.name}`, () => observeAll(ctx, scope)),
      capacity: () => doing(`cannot read the capacity of truenas ${config.name}`, () => readTruenasCapacity(ctx, config)),
      create: (req, op) => (req.kind === "VirtualMachine" ? createVm(ctx, req, op) : req.kind === "NfsShare" ? createShare(ctx, req) : req.kind === "SnapshotSchedule" ? createSchedule(ctx, req) : unsupportedKind(req.kind)),
      update: (req, op) => (req.kind === "VirtualMachine" ? updateVm(ctx, req, op) : req.kind === "NfsShare" ? updateShare(ctx, req) : req.kind === "SnapshotSchedule" ? updateSchedule(ctx, req) : unsupportedKind(req.kind)),
      delete: (req, op) => (req.kind === "VirtualMachine" ? deleteVm(ctx, req, op) : req.kind === "NfsShare" ? deleteShare(ctx, req) : req.kind === "SnapshotSchedule" ? deleteSchedule(ctx, req) : unsupportedKind(req.kind)),
      snapshots: truenasSnapshots(ctx),
      power: truenasPower(ctx),
      close: () => client.close(),
    };
  });
}

function unsupportedKind(kind: string): never {
  throw new ProviderError(`TrueNAS does not manage ${kind} resources`, { code: "TRUENAS_UNSUPPORTED_KIND", retryable: false });
}
