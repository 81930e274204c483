import { proxmoxGuestIpv4 } from "../ssh/addresses.js";
import type { GuestDirectory, SimGuest } from "../ssh/directory.js";
import { parsePropertyString } from "./property-string.js";
import type { SimContext } from "./context.js";
import { parse } from "yaml";
import { proxmoxNodes } from "./node-files.js";
import { findVolume } from "./volumes.js";
import type { WorldData } from "./world.js";

/**
 * The simulated cluster's QEMU guests as the guest network sees them: each VM instance (VMID +
 * SMBIOS UUID), its DHCP leases per NIC (the addresses its guest agent reports), its power and
 * start time, and its cloud-init user and keys (`ciuser`, `sshkeys`, or the `cicustom` user snippet);
 * and the cluster's nodes (SFTP to the snippet folders).
 */
export function proxmoxGuestDirectory(sim: SimContext): GuestDirectory {
  const world = (): WorldData => sim.world;
  return {
    nodes: () => proxmoxNodes(sim),
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
          const custom = userSnippet(sim, vm);
          const cloudInit = custom ?? (vm.conf.ciuser !== undefined || keys.length ? { ...(vm.conf.ciuser !== undefined ? { user: String(vm.conf.ciuser) } : {}), keys } : undefined);
          return {
            key: `proxmox:${vm.vmid}:${uuid}`, names: [String(vm.conf.name ?? `VM${vm.vmid}`)], addresses: nics.map((i) => proxmoxGuestIpv4(vm.vmid, i)),
            running: vm.running && !vm.paused, bootId: String(vm.startedAt ?? ""), ...(vm.startedAt !== undefined ? { startedAt: vm.startedAt } : {}),
            ...(cloudInit ? { cloudInit } : {}),
          };
        }),
    nfsExports: () => [],
  };
}

/**
 * With `cicustom: user=VOLID` cloud-init reads that snippet instead of the user-data Proxmox
 * generates: its `user` and `ssh_authorized_keys` make the default user, and the guest keeps the
 * text (as /var/lib/cloud/instance/user-data.txt).
 */
function userSnippet(sim: SimContext, vm: { node: string; conf: Record<string, string | number> }): { user?: string; keys: string[]; userData: string } | undefined {
  if (vm.conf.cicustom === undefined) return undefined;
  const volid = String(vm.conf.cicustom).split(",").find((p) => p.startsWith("user="))?.slice(5);
  const text = volid ? findVolume(sim, volid, vm.node)?.text : undefined;
  if (text === undefined) return undefined;
  let doc: { user?: unknown; ssh_authorized_keys?: unknown } = {};
  try {
    doc = (parse(text) ?? {}) as typeof doc;
  } catch {
    doc = {};
  }
  const keys = Array.isArray(doc.ssh_authorized_keys) ? doc.ssh_authorized_keys.map(String) : [];
  return { ...(typeof doc.user === "string" ? { user: doc.user } : {}), keys, userData: text };
}
