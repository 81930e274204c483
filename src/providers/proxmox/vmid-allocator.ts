import type { ProxmoxApi } from "./api-client.js";
import { ProxmoxApiError } from "./errors.js";
import { KeyedMutex } from "./sync.js";

/**
 * Allocates VMIDs for one session. `/cluster/nextid` reserves nothing: it returns the lowest free id
 * until a guest config with that id exists, which for a clone is only once its worker runs. So
 * allocation is serialised, and every id handed out stays reserved in this session until the caller
 * releases it (after its create or clone finished, either way); ids reserved here are skipped and
 * the next candidate is confirmed with `nextid?vmid=N`. Other clients can still race us: callers
 * retry with a fresh id when PVE says the id already exists.
 */
export class VmidAllocator {
  private readonly reserved = new Set<number>();
  private readonly mutex = new KeyedMutex();
  constructor(private readonly api: ProxmoxApi) {}

  /** A VMID no other create of this session holds. */
  allocate(signal?: AbortSignal): Promise<number> {
    return this.mutex.run("vmid", async () => {
      const opts = signal ? { signal } : {};
      let id = Number(await this.api.get("/cluster/nextid", undefined, opts));
      let confirmed = true;
      for (let i = 0; i < 10_000; i++, id++) {
        if (this.reserved.has(id)) {
          confirmed = false;
          continue;
        }
        if (confirmed || (await this.isFree(id, signal))) {
          this.reserved.add(id);
          return id;
        }
      }
      throw new Error("no free VMID found");
    });
  }

  /** Gives `id` back (its guest now exists, or its create failed). */
  release(id: number): void {
    this.reserved.delete(id);
  }

  private async isFree(id: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.api.get("/cluster/nextid", { vmid: id }, signal ? { signal } : {});
      return true;
    } catch (err) {
      if (err instanceof ProxmoxApiError && err.status === 400) return false;
      throw err;
    }
  }
}
