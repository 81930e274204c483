/**
 * The simulated guest network: which addresses simulated VMs get. Every simulator hands out the
 * same kind of private addresses a real LAN would (DHCP leases that stay with the VM), and the
 * SSH simulator (`src/sim/ssh/`) routes a bastion's forwards to them in process — no packet ever
 * leaves this machine, and nothing listens on these addresses.
 */

/**
 * The IPv4 lease of a Proxmox guest's NIC `nic` (net0, net1, …): stable for its VMID, on
 * `10.(10+nic).0.0/16`, never a network or broadcast address.
 */
export function proxmoxGuestIpv4(vmid: number, nic: number): string {
  return `10.${10 + nic}.${Math.floor(vmid / 250) % 250}.${2 + (vmid % 250)}`;
}

/** The IPv6 link-local address (EUI-64) of a MAC, as a Linux guest configures it. */
export function linkLocalOf(mac: string): string {
  const b = mac.toLowerCase().split(":").map((h) => parseInt(h, 16));
  if (b.length !== 6 || b.some((x) => Number.isNaN(x))) return "fe80::1";
  const eui = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups = [0, 2, 4, 6].map((i) => ((eui[i]! << 8) | eui[i + 1]!).toString(16));
  return `fe80::${groups.join(":")}`;
}

/** True when a guest powered on at `startedAt` has finished booting (its sshd and agent answer). */
export function hasBooted(startedAt: number | undefined, bootMs: number, now = Date.now()): boolean {
  return startedAt !== undefined && now - startedAt >= bootMs;
}
