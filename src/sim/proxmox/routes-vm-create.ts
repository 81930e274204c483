import { canonicalValue, type CanonicalContext } from "./canonical.js";
import { configView } from "./config-file.js";
import { errorText, fail, paramError } from "./errors.js";
import type { Router } from "./router.js";
import { P, num, str, validate, type ParamDef } from "./schema.js";
import { configValues } from "./vm-params.js";
import { vmConfigSchema, isDriveKey } from "./vm-schema.js";
import { summarise } from "./vm-summary.js";
import { forkVmTask } from "./vm-tasks.js";
import { parsePropertyString } from "./property-string.js";
import { renameToBase } from "./volumes.js";
import type { Conf, VmRecord } from "./world.js";

/**
 * `GET /nodes/{node}/qemu` (live list), `GET /nodes/{node}/qemu/{vmid}` (index) and
 * `POST /nodes/{node}/qemu` (create → `qmcreate` UPID). Create writes a `lock: create` config at
 * once (so a second create of the same id fails synchronously with PVE's `already exists`), then the
 * worker allocates disks and writes the canonical config with the server-added keys
 * (`boot`, `meta`, `smbios1`, `vmgenid`).
 */
const CREATE_CONTROL: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, storage: P.optStr, start: P.optBool, pool: P.optStr, unique: P.optBool,
  force: P.optBool, archive: P.optStr, bwlimit: P.optInt, "live-restore": P.optBool,
};

/** Device keys in the order PVE picks the default boot disk and cdrom. */
function driveScanOrder(conf: Conf): string[] {
  const rank = (k: string): number => (k.startsWith("ide") ? 0 : k.startsWith("sata") ? 1 : k.startsWith("scsi") ? 2 : k.startsWith("virtio") ? 3 : 4);
  return Object.keys(conf).filter((k) => isDriveKey(k) && !/^(efidisk|tpmstate)/.test(k))
    .sort((a, b) => rank(a) - rank(b) || Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")));
}

/** PVE's default boot order: first disk, first cdrom, first NIC (`order=scsi0;ide2;net0`). */
export function defaultBoot(conf: Conf): string | undefined {
  const drives = driveScanOrder(conf).map((k) => [k, parsePropertyString(String(conf[k]), "file")] as const);
  const disk = drives.find(([, d]) => d.media !== "cdrom")?.[0];
  const cdrom = drives.find(([, d]) => d.media === "cdrom" && !/cloudinit/.test(d.file ?? ""))?.[0];
  const net = Object.keys(conf).filter((k) => /^net\d+$/.test(k)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))[0];
  const devs = [disk, cdrom, net].filter((d): d is string => d !== undefined);
  return devs.length > 0 ? `order=${devs.join(";")}` : undefined;
}

/** The `meta` value PVE writes on create. */
export function metaValue(): string {
  return `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
}

function liveEntry(vm: VmRecord, full: boolean): Record<string, unknown> {
  const s = summarise(vm);
  const e: Record<string, unknown> = {
    vmid: s.vmid, status: s.status, name: s.name, cpus: s.cpus, maxmem: s.maxmem, maxdisk: s.maxdisk, disk: 0, uptime: s.uptime,
    cpu: s.status === "running" ? 0.01 : 0, mem: s.status === "running" ? Math.floor(s.maxmem / 3) : 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0,
  };
  if (s.status === "running") e.pid = 10000 + vm.vmid;
  if (s.template) e.template = 1;
  if (s.lock) e.lock = s.lock;
  if (s.tags !== undefined) e.tags = s.tags;
  if (full) Object.assign(e, { qmpstatus: vm.running ? (vm.paused ? "paused" : "running") : "stopped", ...(vm.running ? { "running-machine": "pc-i440fx-9.2+pve1", "running-qemu": "9.2.0" } : {}) });
  return e;
}

/** Registers the guest collection routes. */
export function registerVmCreateRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/qemu", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, full: P.optBool } });
    const node = str(p, "node")!;
    sim.checkNode(node);
    return Object.values(sim.world.vms).filter((v) => v.node === node && v.type !== "lxc").map((v) => liveEntry(v, p.full === 1));
  });
  router.add("GET", "/nodes/{node}/qemu/{vmid}", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    sim.vm(str(p, "node")!, num(p, "vmid")!);
    return ["config", "pending", "status", "snapshot", "clone", "template", "resize"].map((subdir) => ({ subdir }));
  });
  router.add("POST", "/nodes/{node}/qemu", (ctx) => {
    const { sim, input } = ctx;
    const p = validate(input, vmConfigSchema(CREATE_CONTROL));
    const node = str(p, "node")!;
    const vmid = num(p, "vmid")!;
    sim.checkNode(node);
    const values = configValues(p, Object.keys(CREATE_CONTROL));
    if (p.archive !== undefined) fail("unable to restore VM - restore is not supported by this server");
    const existing = sim.world.vms[vmid];
    if (existing) fail(`unable to create VM ${vmid} - ${existing.type === "lxc" ? "CT" : "VM"} ${vmid} already exists on node '${existing.node}'`);
    const vm: VmRecord = { vmid, node, conf: { lock: "create" }, pending: {}, pendingDelete: {}, snapshots: {}, running: false };
    sim.world.vms[vmid] = vm;
    sim.changed(vm);
    const storage = str(p, "storage");
    return forkVmTask(ctx, {
      node, vmid, type: "qmcreate", flock: "exclusive",
      run: async (task) => {
        await task.work();
        const before = new Set(Object.keys(sim.world.volumes));
        const cctx: CanonicalContext = { sim, vmid, node, ...(storage ? { storage } : {}) };
        try {
          const conf: Conf = {};
          for (const [k, v] of Object.entries(values)) {
            conf[k] = canonicalValue(cctx, k, v);
            if (isDriveKey(k) && /size=/.test(String(conf[k]))) task.log(`${k}: successfully created disk '${String(conf[k]).split(",")[0]},size=${/size=(\w+)/.exec(String(conf[k]))?.[1]}'`);
          }
          if (conf.boot === undefined) {
            const boot = defaultBoot(conf);
            if (boot) conf.boot = boot;
          }
          conf.meta = metaValue();
          const smbios = conf.smbios1 !== undefined ? parsePropertyString(String(conf.smbios1), null) : {};
          if (!smbios.uuid) conf.smbios1 = [`uuid=${sim.newUuid()}`, conf.smbios1].filter(Boolean).join(",");
          if (conf.vmgenid === undefined || conf.vmgenid === "1") conf.vmgenid = sim.newUuid();
          if (conf.template === 1) {
            for (const k of Object.keys(conf).filter(isDriveKey)) {
              const d = String(conf[k]);
              if (/media=cdrom/.test(d)) continue;
              const volid = d.split(",")[0]!;
              conf[k] = d.replace(volid, renameToBase(sim, volid, node));
            }
          }
          vm.conf = conf;
          if (p.start === 1 && conf.template !== 1) {
            vm.running = true;
            vm.startedAt = Date.now();
          }
          sim.changed(vm);
        } catch (err) {
          for (const key of Object.keys(sim.world.volumes)) if (!before.has(key)) delete sim.world.volumes[key];
          delete sim.world.vms[vmid];
          sim.rrd.forget(vmid);
          sim.changed();
          throw new Error(`unable to create VM ${vmid} - ${errorText(err)}`);
        }
      },
    });
  });
  router.add("GET", "/nodes/{node}/qemu/{vmid}/config", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid, current: P.optBool, snapshot: { ...P.configId, optional: true } } });
    if (p.current !== undefined && p.snapshot !== undefined) paramError({ current: "option conflicts with option 'snapshot'" });
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const snapname = str(p, "snapshot");
    if (snapname !== undefined) {
      const snap = vm.snapshots[snapname];
      if (!snap) fail(`snapshot '${snapname}' does not exist`);
      return { ...snap.conf, snaptime: snap.snaptime, ...(snap.description ? { description: snap.description } : {}), ...(snap.parent ? { parent: snap.parent } : {}), digest: configView(vm, true).digest };
    }
    return configView(vm, p.current === 1);
  });
}
