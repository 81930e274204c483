/**
 * Per-provider defaults of `spec.concurrency` (steps in flight on one provider) and `spec.rateLimit`
 * (API requests per second), chosen from what the real servers sustain. One place: the manifest
 * schema documents them, the providers and the executor use them. No imports, so the schema can
 * read it cheaply.
 *
 * - Proxmox VE: pveproxy serves the API with 3 worker processes (`MAX_WORKERS`, pve-manager
 *   `PVE/Service/pveproxy.pm`; mutations go on to pvedaemon, 3 workers too) and has no rate limit.
 *   A config read costs a worker a few milliseconds, so the three workers answer a few hundred
 *   reads a second; 100/s leaves most of that to the web UI and other clients. Guest creates take
 *   a storage lock each (lvcreate, zfs create), so more than a few in flight only queue on it: 4.
 * - TrueNAS: authenticated calls are not rate limited; each connection runs 10 calls at once and
 *   refuses the 21st in flight (reference §1.3) — vmsync keeps 8 in flight on its one socket, which
 *   is the real bound; 100/s is a safety net. VM, zvol and share changes run zfs and libvirt work
 *   in the middleware: 4 steps at once.
 * - Azure: ARM throttles per subscription and principal with token buckets (since 2024): reads
 *   250 tokens refilled at 25/s, writes and deletes 200 refilled at 10/s each
 *   (learn.microsoft.com, "Azure Resource Manager request limits and throttling"). Without
 *   `spec.rateLimit` vmsync keeps to exactly those buckets; with it, one bucket of that rate. VM
 *   creates wait a minute or more on their long-running operation, so 10 steps run at once
 *   (Terraform's default parallelism) while the buckets pace the requests.
 */

/** The provider types with their own defaults. */
export type ProviderType = "proxmox" | "truenas" | "azure";

/** Steps in flight on one provider when its manifest sets no `concurrency`. */
export const DEFAULT_CONCURRENCY: Record<ProviderType, number> = { proxmox: 4, truenas: 4, azure: 10 };

/** API requests per second when a Proxmox or TrueNAS manifest sets no `rateLimit`. */
export const DEFAULT_RATE_LIMIT: Record<Exclude<ProviderType, "azure">, number> = { proxmox: 100, truenas: 100 };

/** ARM's per-subscription, per-principal token buckets: size and refill per second, by operation type. */
export const ARM_BUCKETS = {
  read: { burst: 250, perSecond: 25 },
  write: { burst: 200, perSecond: 10 },
  delete: { burst: 200, perSecond: 10 },
} as const;
