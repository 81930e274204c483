import type { GuestDirectory, SimGuest } from "../ssh/directory.js";
import type { World } from "./world.js";

/** The DHCP lease of a TrueNAS VM on the simulated LAN: stable for its id, on 10.30.0.0/16. */
export function truenasGuestIpv4(id: number): string {
  return `10.30.${Math.floor(id / 250) % 250}.${2 + (id % 250)}`;
}

/**
 * The simulated TrueNAS system's VMs as the guest network sees them (TrueNAS has no cloud-init: the
 * image's default user and key), and its NFS exports, served at the simulator's host.
 */
export function truenasGuestDirectory(world: World, hosts: string[]): GuestDirectory {
  return {
    guests: () =>
      [...world.vms.values()].map((vm): SimGuest => ({
        key: `truenas:${vm.id}:${String(vm.fields.uuid ?? "")}`, names: [String(vm.fields.name)], addresses: [truenasGuestIpv4(vm.id)],
        running: vm.state === "RUNNING", bootId: String(vm.pid ?? ""),
      })),
    nfsExports: () => [...world.nfs.values()].filter((n) => n.fields.enabled !== false).map((n) => ({ hosts, path: String(n.fields.path ?? "") })),
  };
}
