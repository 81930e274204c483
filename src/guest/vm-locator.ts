import type { DesiredState } from "../manifest/model.js";
import type { ObservedResource, ProviderSession } from "../providers/contract.js";

/** True when the provider says the VM runs (its runtime status, else its observed spec). */
export function isRunning(vm: ObservedResource): boolean {
  const power = vm.status?.power ?? (typeof vm.spec.power === "string" ? vm.spec.power : undefined);
  return power === "running";
}

/** The first address the provider reports for a VM (IPv4 first), if any. */
export function addressOf(vm: ObservedResource): string | undefined {
  return vm.status?.addresses?.[0];
}

/**
 * Finds the VMs whose guests the layer reaches: first from what the run observed (remembered during
 * `observe`), and again through the VM's provider session when a step must wait for a VM that was
 * just created or restarted (its address appears only once the guest agent answers).
 */
export class VmLocator {
  private readonly known = new Map<string, ObservedResource>();
  constructor(private readonly stack: string, private readonly desired: DesiredState, private readonly sessions: Map<string, ProviderSession>) {}

  remember(vm: string, o: ObservedResource): void {
    this.known.set(vm, o);
  }

  cached(vm: string): ObservedResource | undefined {
    return this.known.get(vm);
  }

  /** Observes the VM again through its provider (scoped to it); undefined when it is not there. */
  async find(vm: string): Promise<ObservedResource | undefined> {
    const r = this.desired.resources.find((x) => x.address === vm);
    const session = r?.provider ? this.sessions.get(r.provider) : undefined;
    if (!r || !session) return this.known.get(vm);
    const before = this.known.get(vm);
    const name = r.externalName ?? r.name;
    const list = await session.observe({ kinds: ["VirtualMachine"], externalIds: before ? [before.externalId] : [], names: [name], desired: [r] });
    const vms = list.filter((o) => o.kind === "VirtualMachine");
    const found =
      vms.find((o) => o.marker?.stack === this.stack && o.marker.address === vm) ??
      (before ? vms.find((o) => o.externalId === before.externalId) : undefined) ??
      vms.find((o) => !o.marker && o.name === name);
    if (found) this.known.set(vm, found);
    return found;
  }
}
