import type { SimContext } from "./context.js";
import { paramError } from "./errors.js";
import type { Router } from "./router.js";
import { num, P, str, validate } from "./schema.js";
import { NODE_CPUS, NODE_MEM, summarise } from "./vm-summary.js";
import { storageEntries } from "./routes-storage.js";

/**
 * Cluster-wide reads: `/nodes`, `/nodes/{node}`, `/nodes/{node}/status`, `/cluster/status`,
 * `/cluster/nextid` (lowest free id, no reservation: concurrent callers may get the same id) and
 * `/cluster/resources` (VMs and containers as the lagging RRD sees them; tags/lock/node live).
 */
export function registerClusterRoutes(router: Router): void {
  router.add("GET", "/nodes", ({ sim }) => sim.world.nodes.map((n) => nodeEntry(sim, n)));
  router.add("GET", "/nodes/{node}", ({ sim, input }) => {
    sim.checkNode(String(input.node));
    return ["qemu", "lxc", "storage", "tasks", "status", "network", "version"].map((subdir) => ({ subdir }));
  });
  router.add("GET", "/nodes/{node}/status", ({ sim, input }) => {
    const node = String(input.node);
    sim.checkNode(node);
    return {
      uptime: 864000, cpu: 0.03, loadavg: ["0.10", "0.12", "0.09"], wait: 0,
      memory: nodeMemory(sim, node),
      cpuinfo: { cpus: NODE_CPUS, sockets: 1, cores: NODE_CPUS, model: "QEMU Virtual CPU", mhz: "2400.000" },
      pveversion: "pve-manager/9.1.3/e5010dc3", kversion: "Linux 6.14.8-2-pve",
    };
  });
  router.add("GET", "/nodes/{node}/network", ({ sim, input }) => {
    sim.checkNode(String(input.node));
    return [{ iface: "vmbr0", type: "bridge", active: 1, autostart: 1, bridge_ports: "eno1", cidr: "192.168.100.2/24", method: "static", families: ["inet"] }];
  });
  router.add("GET", "/cluster/status", ({ sim }) => [
    { type: "cluster", id: "cluster", name: sim.world.clusterName, nodes: sim.world.nodes.length, quorate: 1, version: sim.world.nodes.length },
    ...sim.world.nodes.map((n, i) => ({ type: "node", id: `node/${n}`, name: n, nodeid: i + 1, online: 1, local: i === 0 ? 1 : 0, ip: `192.168.100.${i + 2}`, level: "" })),
  ]);
  router.add("GET", "/cluster/nextid", ({ sim, input }) => {
    const p = validate(input, { props: { vmid: { ...P.vmid, optional: true } } });
    const want = num(p, "vmid");
    if (want !== undefined) {
      if (sim.world.vms[want]) paramError({ vmid: `VM ${want} already exists` });
      return String(want);
    }
    let id = 100;
    while (sim.world.vms[id]) id++;
    return String(id);
  });
  router.add("GET", "/cluster/resources", ({ sim, input }) => {
    const p = validate(input, { props: { type: { type: "string", optional: true, enum: ["vm", "storage", "node", "sdn"] } } });
    const type = str(p, "type");
    const out: Array<Record<string, unknown>> = [];
    if (!type || type === "vm") out.push(...guestEntries(sim));
    if (!type || type === "node") out.push(...sim.world.nodes.map((n) => nodeEntry(sim, n)));
    if (!type || type === "storage") {
      for (const node of sim.world.nodes) {
        for (const s of storageEntries(sim, node)) {
          out.push({
            id: `storage/${node}/${s.storage}`, storage: s.storage, node, type: "storage", plugintype: s.type,
            status: "available", shared: s.shared, content: s.content, disk: s.used, maxdisk: s.total,
          });
        }
      }
    }
    return out;
  });
}

/** The host's memory as `/nodes/{node}/status` reports it: 2 GiB for the host itself plus the memory of its running guests. */
function nodeMemory(sim: SimContext, node: string): { total: number; used: number; free: number; available: number } {
  let used = 2 * 1024 ** 3;
  for (const vm of Object.values(sim.world.vms)) if (vm.node === node && vm.running) used += summarise(vm).maxmem;
  used = Math.min(used, NODE_MEM);
  return { total: NODE_MEM, used, free: NODE_MEM - used, available: NODE_MEM - used };
}

function nodeEntry(sim: SimContext, node: string): Record<string, unknown> {
  const vms = Object.values(sim.world.vms).filter((v) => v.node === node && v.running).length;
  return {
    id: `node/${node}`, node, type: "node", status: "online", level: "", cpu: 0.02 + vms * 0.001, maxcpu: NODE_CPUS,
    mem: nodeMemory(sim, node).used, maxmem: NODE_MEM, disk: 8 * 1024 ** 3, maxdisk: 100 * 1024 ** 3, uptime: 864000,
    "cgroup-mode": 2, "host-arch": "x86_64", ssl_fingerprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
  };
}

function guestEntries(sim: SimContext): Array<Record<string, unknown>> {
  const ids = Object.keys(sim.world.vms).sort();
  const out: Array<Record<string, unknown>> = [];
  for (const id of ids) {
    const vm = sim.world.vms[id]!;
    const type = vm.type === "lxc" ? "lxc" : "qemu";
    const e: Record<string, unknown> = { id: `${type}/${vm.vmid}`, vmid: vm.vmid, node: vm.node, type };
    const rrd = sim.rrd.read(vm.vmid);
    if (!rrd) e.status = "unknown";
    else {
      Object.assign(e, {
        status: rrd.status, name: rrd.name, uptime: rrd.uptime, template: rrd.template, maxcpu: rrd.cpus,
        cpu: rrd.status === "running" ? 0.01 : 0, maxmem: rrd.maxmem, mem: rrd.status === "running" ? Math.floor(rrd.maxmem / 3) : 0,
        maxdisk: rrd.maxdisk, disk: 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0,
      });
    }
    if (vm.conf.tags !== undefined) e.tags = String(vm.conf.tags);
    if (vm.conf.lock !== undefined) e.lock = String(vm.conf.lock);
    out.push(e);
  }
  return out;
}
