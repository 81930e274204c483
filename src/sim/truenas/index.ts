/**
 * TrueNAS SCALE middleware simulator: `startTruenasSim()` serves the legacy `/websocket` protocol
 * and (25.04+) JSON-RPC 2.0 on `/api/current` over loopback TLS, imitating the version given
 * (24.04/24.10/25.04/25.10; default 25.10.1), and persists its world in `opts.dir`.
 */
import { randomBytes } from "node:crypto";
import { loadOrCreateCertificate } from "../tls.js";
import { defaultKnobs, type SimKnobs } from "../knobs.js";
import type { SimHandle, SimStartOptions } from "../handle.js";
import { SimCore } from "./core.js";
import { defaultRateLimit, type RateLimitSettings } from "./rate-limit.js";
import { createWorldWriter, loadWorldFile } from "./persist.js";
import { startServer } from "./server.js";
import { Session } from "./session.js";
import { DEFAULT_VERSION, personaFor } from "./versions.js";
import { truenasGuestDirectory } from "./guest-directory.js";
import { World } from "./world.js";

export { DEFAULT_VERSION } from "./versions.js";

/** Options of `startTruenasSim`. Everything beyond `SimStartOptions` has a fast, realistic default. */
export interface TruenasSimOptions extends SimStartOptions {
  /** Imitated version, e.g. "25.10.1" (default) or "24.10.2". */
  version?: string;
  /** Maximum session age before calls fail (default 30 days, like AA_LEVEL1). */
  sessionLifetimeMs?: number;
  /** Unauthenticated rate limit (default 20 calls / 60 s per method and IP, no penalty delay). */
  rateLimit?: Partial<RateLimitSettings>;
  /** Delay before a failed login answers false (default 0; the real server waits 1–5 s). */
  authFailureDelayMs?: number;
  /** Host memory available to VMs, MiB (default 1 TiB). */
  hostMemoryMiB?: number;
  /** Size of pool `tank`, bytes (default 100 TiB). */
  poolSizeBytes?: number;
  /** NIC attach choices (default enp1s0, eno1, br0, br1, br2, vlan10). */
  interfaces?: string[];
}

/** The handle of a running TrueNAS simulator. */
export interface TruenasSimHandle extends SimHandle {
  name: "truenas";
  /** `wss://127.0.0.1:PORT`; append `/api/current` or `/websocket`. */
  endpoint: string;
  /** Admin username/password and an API key ("<id>-<secret>") owned by that user. */
  credentials: { apiKey: string; username: string; password: string };
  /** The imitated version (e.g. "25.10.1"). */
  version: string;
  /** Changes latency / job duration / fault rate / seed for subsequent calls. */
  setKnobs(knobs: Partial<SimKnobs>): void;
  /** The knobs in force. */
  knobs(): SimKnobs;
  /** Abruptly terminates every open websocket (clients see close code 1006). */
  dropConnections(): void;
  /**
   * Expires every logged-in session without closing sockets: further calls fail with
   * ENOTAUTHENTICATED (24.x) or EACCES "Session is expired" (25.x) until the client logs in again.
   */
  expireSessions(): void;
  /**
   * Calls any method as an in-process admin (no limits, latency or faults; jobs are awaited and
   * their result returned) — for tests and drift ("changed behind vmsync's back").
   */
  admin(method: string, params?: unknown[]): Promise<unknown>;
  /** Waits until the world file reflects every change made so far. */
  flush(): Promise<void>;
}

/** Starts the simulator; resolves once it listens. */
export async function startTruenasSim(opts: TruenasSimOptions): Promise<TruenasSimHandle> {
  const persona = personaFor(opts.version ?? DEFAULT_VERSION);
  const host = opts.host ?? "127.0.0.1";
  const tls = await loadOrCreateCertificate(opts.dir, "truenas");
  const raw = await loadWorldFile(opts.dir);
  const world = raw
    ? World.fromJSON(raw)
    : World.fresh({ username: "truenas_admin", password: randomBytes(12).toString("hex"), apiKey: `1-${randomBytes(32).toString("hex")}` }, Date.now());
  const writer = createWorldWriter(opts.dir, () => JSON.stringify(world.toJSON()));
  world.onChange = () => writer.markDirty();
  if (!raw) writer.markDirty();
  const core = new SimCore(world, persona, { ...defaultKnobs, ...opts.knobs }, {
    sessionLifetimeMs: opts.sessionLifetimeMs ?? 30 * 86_400_000,
    rateLimit: { ...defaultRateLimit, ...opts.rateLimit },
    authFailureDelayMs: opts.authFailureDelayMs ?? 0,
    hostMemoryMiB: opts.hostMemoryMiB ?? 1024 * 1024,
    poolSizeBytes: opts.poolSizeBytes ?? 100 * 2 ** 40,
    interfaces: opts.interfaces ?? ["enp1s0", "eno1", "br0", "br1", "br2", "vlan10"],
  });
  const server = await startServer(core, tls, host, opts.port ?? 0);
  const adminSession = new Session("jsonrpc", "127.0.0.1", { event: () => {}, close: () => {} });
  adminSession.internal = true;
  adminSession.auth = { username: world.credentials.username, at: Date.now(), mechanism: "INTERNAL" };
  let closing: Promise<void> | null = null;
  return {
    name: "truenas",
    endpoint: `wss://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
    caFile: tls.caFile,
    credentials: { ...world.credentials },
    version: persona.version,
    setKnobs: (k) => core.setKnobs(k),
    knobs: () => ({ ...core.knobs }),
    requests: () => core.requests.snapshot(),
    dropConnections: () => server.dropConnections(),
    directory: truenasGuestDirectory(world, [host, "localhost"]),
    expireSessions: () => {
      for (const s of core.sessions) if (s.auth) s.expired = true;
    },
    admin: (method, params = []) => {
      adminSession.auth!.at = Date.now();
      return core.execute(adminSession, method, params, null);
    },
    flush: () => writer.flush(),
    close: () => {
      closing ??= (async () => {
        await server.close();
        await writer.close();
      })();
      return closing;
    },
  };
}
