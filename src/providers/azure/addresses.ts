import type { NicView, PublicIpView } from "./nic-view.js";

/**
 * A VM's addresses from what the bulk reads already hold: the private IPs of its primary NIC's IP
 * configurations (primary configuration first), then the public IP bound to it. IPv4 first.
 */
export function vmAddresses(nic: NicView | undefined, publicIps: Map<string, PublicIpView>): string[] {
  const configs = [...(nic?.ipConfigurations ?? [])].sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
  const out: string[] = [];
  for (const c of configs) if (c.privateIPAddress) out.push(c.privateIPAddress);
  for (const c of configs) {
    const ip = c.publicIPAddress?.id ? publicIps.get(c.publicIPAddress.id.toLowerCase())?.ipAddress : undefined;
    if (ip) out.push(ip);
  }
  const v4 = out.filter((a) => !a.includes(":"));
  return [...new Set([...v4, ...out.filter((a) => a.includes(":"))])];
}
