import type { ObservedResource } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { parseGuestId } from "./normalise.js";
import { guestPath } from "./guests.js";
import { mapLimit } from "./sync.js";

/** One interface as `agent/network-get-interfaces` reports it (qemu-guest-agent's `guest-network-get-interfaces`). */
interface AgentInterface {
  name?: string;
  "ip-addresses"?: Array<{ "ip-address-type"?: string; "ip-address"?: string }>;
}

/** How long one agent call may take: PVE pings the agent for up to 3 s before it answers. */
const AGENT_TIMEOUT_MS = 8_000;

/**
 * The addresses of the observed running VMs whose config enables the guest agent (`spec.agent`,
 * whether the config was read now or served from the observation cache), read with at most
 * `c.concurrency` agent calls in flight, each bounded in time and never retried: a VM without an
 * answering agent (not installed, still booting) simply has no addresses — it is not an error of
 * the plan. Loopback, link-local and the `lo` interface are left out; IPv4 comes first.
 */
export async function agentAddresses(c: ProxmoxContext, observed: ObservedResource[], signal?: AbortSignal): Promise<Map<string, string[]>> {
  const asked = observed.filter((o) => o.kind === "VirtualMachine" && o.status?.power === "running" && o.spec.agent === true);
  const answers = await mapLimit(asked, c.concurrency, async (o) => {
    const timeout = AbortSignal.timeout(AGENT_TIMEOUT_MS);
    try {
      const r = await c.api.get<{ result?: AgentInterface[] }>(`${guestPath(parseGuestId(o.externalId))}/agent/network-get-interfaces`, undefined, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, retries: 0 });
      return addressesOf(r?.result ?? []);
    } catch {
      return [];
    }
  });
  return new Map(asked.map((o, i) => [o.externalId, answers[i]!]));
}

/** The usable addresses of an agent answer, IPv4 first. */
export function addressesOf(interfaces: AgentInterface[]): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const i of interfaces) {
    if (i.name === "lo") continue;
    for (const a of i["ip-addresses"] ?? []) {
      const ip = a["ip-address"];
      if (!ip) continue;
      if (a["ip-address-type"] === "ipv4" && !ip.startsWith("127.") && !ip.startsWith("169.254.")) v4.push(ip);
      if (a["ip-address-type"] === "ipv6" && ip !== "::1" && !ip.toLowerCase().startsWith("fe80:")) v6.push(ip);
    }
  }
  return [...new Set([...v4, ...v6])];
}

/** Sets `status.addresses` on the observed VMs that have some. */
export function withAddresses(observed: ObservedResource[], addresses: Map<string, string[]>): void {
  for (const o of observed) {
    const list = addresses.get(o.externalId);
    if (list?.length) o.status = { ...o.status, addresses: list };
  }
}
