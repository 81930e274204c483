/**
 * What a started simulator gives back. `endpoint` is the base URL a client uses (e.g.
 * `https://127.0.0.1:8006`), `caFile` the PEM file to trust, `credentials` whatever that API's clients
 * need (only simulator-made test secrets — never real ones). `close()` stops accepting connections,
 * ends open ones, waits for in-flight writes of the persisted world, and is safe to call twice.
 */
export interface SimHandle {
  name: "proxmox" | "truenas" | "azure";
  endpoint: string;
  caFile: string;
  credentials: Record<string, string>;
  /** The simulated VMs (and NFS exports) the SSH simulator serves as guests (src/sim/ssh/). */
  directory?: import("./ssh/directory.js").GuestDirectory;
  /** API requests served since start, by endpoint label (see `RequestTally`); admin calls excluded. */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Options every simulator's `start…Sim` function accepts. `dir` is where the world and the
 * certificate persist (so separate CLI runs see the same world); `port` 0 picks a free port;
 * `host` defaults to 127.0.0.1 — simulators only ever listen on loopback.
 */
export interface SimStartOptions {
  dir: string;
  port?: number;
  host?: string;
  knobs?: Partial<import("./knobs.js").SimKnobs>;
}
