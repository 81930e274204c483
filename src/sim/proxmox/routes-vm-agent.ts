import { linkLocalOf, hasBooted, proxmoxGuestIpv4 } from "../ssh/addresses.js";
import { fail } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import type { VmRecord } from "./world.js";

/** True when the config enables the guest agent (`agent: 1` or `agent: enabled=1,…`). */
export function agentEnabled(vm: VmRecord): boolean {
  const raw = vm.conf.agent;
  if (raw === undefined) return false;
  const p = parsePropertyString(String(raw), "enabled");
  return p.enabled === "1" || p.enabled === "true" || p.enabled === "on" || p.enabled === "yes";
}

/**
 * The interfaces the guest agent reports (`guest-network-get-interfaces`): `lo`, then one `ens18+i`
 * per `net<i>` with its MAC, its DHCP lease and its IPv6 link-local address, as qemu-guest-agent
 * on a Debian/Ubuntu cloud image answers.
 */
function interfacesOf(vm: VmRecord): unknown[] {
  const out: unknown[] = [{
    name: "lo", "hardware-address": "00:00:00:00:00:00",
    "ip-addresses": [{ "ip-address-type": "ipv4", "ip-address": "127.0.0.1", prefix: 8 }, { "ip-address-type": "ipv6", "ip-address": "::1", prefix: 128 }],
    statistics: { "rx-bytes": 0, "rx-packets": 0, "rx-errs": 0, "rx-dropped": 0, "tx-bytes": 0, "tx-packets": 0, "tx-errs": 0, "tx-dropped": 0 },
  }];
  const nets = Object.keys(vm.conf).filter((k) => /^net\d+$/.test(k)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  for (const key of nets) {
    const i = Number(key.slice(3));
    const mac = (/([0-9A-F]{2}(:[0-9A-F]{2}){5})/i.exec(String(vm.conf[key]))?.[1] ?? "").toLowerCase();
    out.push({
      name: `ens${18 + i}`, "hardware-address": mac,
      "ip-addresses": [{ "ip-address-type": "ipv4", "ip-address": proxmoxGuestIpv4(vm.vmid, i), prefix: 16 }, { "ip-address-type": "ipv6", "ip-address": linkLocalOf(mac), prefix: 64 }],
      statistics: { "rx-bytes": 4096, "rx-packets": 32, "rx-errs": 0, "rx-dropped": 0, "tx-bytes": 2048, "tx-packets": 16, "tx-errs": 0, "tx-dropped": 0 },
    });
  }
  return out;
}

/**
 * `GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces` (qemu-server API2/Qemu/Agent.pm):
 * `{result: [...]}`, or the 500s of `assert_agent_available` — `No QEMU guest agent configured`
 * (no `agent` key), `VM N is not running`, `QEMU guest agent is not running` (disabled in the
 * config, or the guest has not booted far enough: the `guestBootMs` knob).
 */
export function registerVmAgentRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    if (vm.conf.agent === undefined) fail("No QEMU guest agent configured");
    if (!vm.running) fail(`VM ${vm.vmid} is not running`);
    if (!agentEnabled(vm) || vm.paused || !hasBooted(vm.startedAt, sim.knobs.guestBootMs)) fail("QEMU guest agent is not running");
    return { result: interfacesOf(vm) };
  });
}
