import { proxmoxGuestIpv4 } from "../ssh/addresses.js";
import type { GuestDirectory, SimGuest } from "../ssh/directory.js";
import { parsePropertyString } from "./property-string.js";
import type { WorldData } from "./world.js";

/**
 * The simulated cluster's QEMU guests as the guest network sees them: each VM instance (VMID +
 * SMBIOS UUID), its DHCP leases per NIC (the addresses its guest agent reports), its power and
 * start time, and its cloud-init user and keys (`ciuser`, `sshkeys`).
 */
export function proxmoxGuestDirectory(world: () => WorldData): GuestDirectory {
  return {
    guests: () =>
      Object.values(world().vms)
        .filter((vm) => Number(vm.conf.template ?? 0) !== 1)
        .map((vm): SimGuest => {
          let uuid = "";
          try {
            uuid = parsePropertyString(String(vm.conf.smbios1 ?? ""), null).uuid ?? "";
          } catch {
            uuid = "";
          }
          const nics = Object.keys(vm.conf).filter((k) => /^net\d+$/.test(k)).map((k) => Number(k.slice(3))).sort((a, b) => a - b);
          const keys = vm.conf.sshkeys !== undefined ? decodeURIComponent(String(vm.conf.sshkeys)).split("\n").map((l) => l.trim()).filter(Boolean) : [];
          const cloudInit = vm.conf.ciuser !== undefined || keys.length ? { ...(vm.conf.ciuser !== undefined ? { user: String(vm.conf.ciuser) } : {}), keys } : undefined;
          return {
            key: `proxmox:${vm.vmid}:${uuid}`, names: [String(vm.conf.name ?? `VM${vm.vmid}`)], addresses: nics.map((i) => proxmoxGuestIpv4(vm.vmid, i)),
            running: vm.running && !vm.paused, bootId: String(vm.startedAt ?? ""), ...(vm.startedAt !== undefined ? { startedAt: vm.startedAt } : {}),
            ...(cloudInit ? { cloudInit } : {}),
          };
        }),
    nfsExports: () => [],
  };
}
