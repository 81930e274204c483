import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { DesiredProvider } from "../../manifest/model.js";
import type { ProxmoxProviderSpec } from "../../manifest/schema/index.js";
import { readSecret, readSetting } from "../../manifest/secrets.js";
import { durationToMs } from "../../manifest/units.js";
import { ProviderError, type ConnectOptions } from "../contract.js";
import { ProxmoxApi } from "./api-client.js";
import { TicketAuth, TokenAuth } from "./auth.js";
import { inContext } from "./errors.js";
import { ProxmoxSession } from "./session.js";
import { KeyedMutex } from "./sync.js";
import { VmidAllocator } from "./vmid-allocator.js";
import { DEFAULT_CONCURRENCY, DEFAULT_RATE_LIMIT } from "../defaults.js";

/** Knobs of a session that manifests do not set (tests shorten them). */
export interface ProxmoxTuning {
  /** Renew a login ticket once it is this old (default 1 h; PVE tickets live 2 h). */
  ticketRenewAfterMs?: number;
}


/**
 * Opens a session: resolves the endpoint, CA file and credentials (`{env}` from `options.env`,
 * `{file}` relative to the manifest), authenticates (API token, or user + password → ticket) and
 * checks the API answers (`GET /version`). TLS is always verified; `tls.caFile` adds the CA to trust.
 */
export async function connectProxmox(config: DesiredProvider, options: ConnectOptions, tuning: ProxmoxTuning = {}): Promise<ProxmoxSession> {
  const spec = config.spec as ProxmoxProviderSpec;
  const env = options.env;
  const endpoint = readSetting(spec.endpoint, env)!;
  return inContext(`connect to proxmox provider ${config.name} at ${endpoint}`, async () => {
    const caPath = readSetting(spec.tls?.caFile, env);
    let ca: string | undefined;
    if (caPath) {
      try {
        ca = await readFile(resolve(config.baseDir, caPath), "utf8");
      } catch (err) {
        throw new ProviderError(`cannot read tls.caFile ${caPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: "PROXMOX_CA_FILE", retryable: false });
      }
    }
    const api = new ProxmoxApi({
      endpoint, rateLimit: spec.rateLimit ?? DEFAULT_RATE_LIMIT.proxmox, providerName: config.name,
      ...(ca ? { ca } : {}), ...(spec.tls?.serverName ? { serverName: spec.tls.serverName } : {}), ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    if ("tokenId" in spec.auth) {
      api.setAuth(new TokenAuth(readSetting(spec.auth.tokenId, env)!, await readSecret(spec.auth.tokenSecret, config.baseDir, env)));
    } else {
      const password = await readSecret(spec.auth.password, config.baseDir, env);
      api.setAuth(new TicketAuth(readSetting(spec.auth.username, env)!, password, api.login, tuning.ticketRenewAfterMs ?? 3_600_000));
    }
    try {
      // the client's usual retries: a busy or flaky API must not fail the whole run at connect
      await api.get("/version", undefined, options.signal ? { signal: options.signal } : {});
    } catch (err) {
      api.close();
      throw err;
    }
    const concurrency = spec.concurrency ?? DEFAULT_CONCURRENCY.proxmox;
    const secret = (ref: string) => readSecret(ref.startsWith("file:") ? { file: ref.slice(5) } : { env: ref.replace(/^env:/, "") }, config.baseDir, env);
    const fullReadIntervalMs = durationToMs(spec.fullReadInterval ?? "15m") ?? 15 * 60_000;
    return new ProxmoxSession({ api, providerName: config.name, stack: options.stack, concurrency, readConcurrency: Math.min(32, 4 * concurrency), fullReadIntervalMs, vmids: new VmidAllocator(api), cloneLocks: new KeyedMutex(), abandoned: new Map(), readSecret: secret,
      ...(spec.snippets ? { snippets: { spec: spec.snippets, baseDir: config.baseDir, env: options.env } } : {}) }, options.signal, config);
  });
}
