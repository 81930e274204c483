/**
 * Counts the API requests a simulator served, by a label that names the endpoint rather than the
 * object (Proxmox `GET /nodes/{node}/qemu/{vmid}/config`, a TrueNAS method name, ARM
 * `GET Microsoft.Compute/virtualMachines`). Admin paths and in-process admin calls are not counted.
 * Benchmarks read it to report how many requests a command cost each provider.
 */
export class RequestTally {
  private readonly counts = new Map<string, number>();

  /** Counts one request under `label`. */
  count(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  /** The counts so far, by label (a copy). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
