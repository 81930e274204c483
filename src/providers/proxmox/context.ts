import type { ObserveCache } from "../observe-cache.js";
import type { ProxmoxApi } from "./api-client.js";
import type { KeyedMutex } from "./sync.js";
import type { VmidAllocator } from "./vmid-allocator.js";

/**
 * What the operations of one session share: the API client, who we are (provider name, stack),
 * the bound on concurrent detail reads, the session's VMID allocator and the per-template clone
 * mutex (parallel clones of one template hit lock timeouts on real Proxmox).
 */
export interface ProxmoxContext {
  api: ProxmoxApi;
  providerName: string;
  stack: string;
  /** Steps in flight on this provider (`spec.concurrency`). */
  concurrency: number;
  /**
   * Most reads in flight during observe (per-node lists, configs, capacity): 4 × `concurrency`, at most 32 (the keep-alive
   * pool). Reads are short, so several in flight hide the network round trip while pveproxy's
   * three workers take them in turn; `rateLimit` still paces them.
   */
  readConcurrency: number;
  /** `spec.fullReadInterval` in ms: how long a config read may be served from the observation cache. */
  fullReadIntervalMs: number;
  /** The observation cache of the current observe, if any (rereads refresh it). */
  cache?: ObserveCache;
  vmids: VmidAllocator;
  cloneLocks: KeyedMutex;
  /**
   * Creates whose task this session started but stopped waiting for (deadline, cancellation), by
   * address. Until its task ends, PVE shows such a guest as `lock: create|clone` without name or
   * marker, so a retry must wait for it instead of creating another.
   */
  abandoned: Map<string, { node: string; vmid: number }>;
  /**
   * Reads a secret a resource references (`env:NAME` / `file:PATH`, files relative to the Provider
   * manifest) at the moment it is sent; the value never enters a spec, plan, state or log.
   */
  readSecret(ref: string): Promise<string>;
  /** The provider's `snippets` settings (cloud-init snippets over SFTP), when it has them. */
  snippets?: import("./snippets.js").SnippetSettings;
}
