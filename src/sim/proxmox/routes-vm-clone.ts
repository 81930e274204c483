import type { SimContext } from "./context.js";
import { fail, paramError } from "./errors.js";
import { formatSize, parsePropertyString, printPropertyString } from "./property-string.js";
import { metaValue } from "./routes-vm-create.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { checkDnsName, isDriveKey } from "./vm-schema.js";
import { checkConfigLock, forkVmTask } from "./vm-tasks.js";
import { allocateCloudinit, canLinkClone, copyVolume, findVolume, isShared, linkClone, renameToBase, storageOf } from "./volumes.js";
import type { Conf, VmRecord } from "./world.js";

/**
 * `POST …/clone` (`qmclone`) and `POST …/template` (`qmtemplate`). Clones get new MACs, smbios1 uuid
 * and vmgenid; linked clones need base volumes (templates) — otherwise PVE's `Linked clone feature is
 * not supported for '<volid>' (<key>)`. The source flock is shared while the source is stopped and
 * exclusive when running, with clone's short wait; the new id is only reserved once the worker runs.
 */
function cloneConf(sim: SimContext, source: Conf): Conf {
  const conf: Conf = {};
  for (const [k, v] of Object.entries(source)) {
    if (["lock", "template", "parent", "vmstate", "snaptime"].includes(k) || /^unused\d+$/.test(k)) continue;
    conf[k] = v;
  }
  for (const k of Object.keys(conf).filter((x) => /^net\d+$/.test(x))) {
    conf[k] = String(conf[k]).replace(/^([a-z0-9_-]+)=([0-9A-F:]{17})/i, (_m, model: string) => `${model}=${sim.newMac()}`);
  }
  const smbios = parsePropertyString(String(conf.smbios1 ?? ""), null);
  smbios.uuid = sim.newUuid();
  conf.smbios1 = printPropertyString(smbios, null);
  if (conf.vmgenid !== undefined) conf.vmgenid = sim.newUuid();
  conf.meta = metaValue();
  return conf;
}

/** Registers the clone and template routes. */
export function registerVmCloneRoutes(router: Router): void {
  router.add("POST", "/nodes/{node}/qemu/{vmid}/clone", (ctx) => {
    const p = validate(ctx.input, {
      props: {
        node: P.node, vmid: P.vmid, newid: P.vmid, name: { type: "string", optional: true, check: checkDnsName }, description: P.optStr,
        full: P.optBool, target: { ...P.node, optional: true }, storage: P.optStr, format: { type: "string", optional: true, enum: ["raw", "qcow2", "vmdk"] },
        pool: P.optStr, snapname: { ...P.configId, optional: true }, bwlimit: P.optInt,
      },
    });
    const { sim } = ctx;
    const src = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const newid = num(p, "newid")!;
    const target = str(p, "target") ?? src.node;
    if (target !== src.node) sim.checkNode(target);
    const isTemplate = src.conf.template === 1;
    const full = p.full !== undefined ? p.full === 1 : !isTemplate;
    if (!full) {
      if (p.storage !== undefined) paramError({ storage: "parameter 'storage' not allowed for linked clones" });
      if (p.format !== undefined) paramError({ format: "parameter 'format' not allowed for linked clones" });
    }
    const existing = sim.world.vms[newid];
    if (existing) fail(`${existing.type === "lxc" ? "CT" : "VM"} ${newid} already exists on node '${existing.node}'`);
    checkConfigLock(src);
    const snapname = str(p, "snapname");
    const base = snapname !== undefined ? src.snapshots[snapname]?.conf : src.conf;
    if (!base) fail(`snapshot '${snapname}' does not exist`);
    const drives = Object.keys(base).filter(isDriveKey);
    for (const key of drives) {
      const d = parsePropertyString(String(base[key]), "file");
      if (d.media === "cdrom" && !/cloudinit/.test(d.file ?? "")) continue;
      const vol = findVolume(sim, d.file ?? "", src.node);
      if (!vol) continue;
      if (target !== src.node && !isShared(sim.storage(vol.storage) ?? {})) fail(`can't clone VM to node '${target}' (VM uses local storage)`);
      if (!full && !/cloudinit/.test(vol.volid) && !canLinkClone(sim, vol)) fail(`Linked clone feature is not supported for '${vol.volid}' (${key})`);
    }
    const storage = str(p, "storage");
    const format = str(p, "format");
    let reserved: VmRecord | undefined;
    return forkVmTask(ctx, {
      node: src.node, vmid: src.vmid, type: "qmclone", flock: src.running ? "exclusive" : "shared",
      lockTimeoutMs: Math.min(1000, sim.tunables.lockTimeoutMs),
      run: async (task) => {
        if (sim.world.vms[newid]) fail(`unable to create VM ${newid}: config file already exists`);
        reserved = { vmid: newid, node: target, conf: { lock: "clone" }, pending: {}, pendingDelete: {}, snapshots: {}, running: false };
        sim.world.vms[newid] = reserved;
        sim.changed(reserved);
        const before = new Set(Object.keys(sim.world.volumes));
        try {
          task.log(`create ${full ? "full" : "linked"} clone of drive(s) ${drives.join(", ")}`);
          await task.work();
          const conf = cloneConf(sim, base);
          conf.name = str(p, "name") ?? `Copy-of-VM-${String(src.conf.name ?? src.vmid)}`;
          if (p.description !== undefined) conf.description = String(p.description).replace(/\s+$/, "");
          for (const key of drives) {
            const d = parsePropertyString(String(base[key]), "file");
            const file = d.file ?? "";
            if (/cloudinit/.test(file)) {
              conf[key] = printPropertyString({ media: "cdrom" }, allocateCloudinit(sim, storage ?? storageOf(file), target, newid).volid);
              continue;
            }
            if (d.media === "cdrom") continue;
            const vol = findVolume(sim, file, src.node);
            if (!vol) continue;
            const copy = full
              ? copyVolume(sim, vol, { storage: storage ?? vol.storage, node: target, vmid: newid, ...(format ? { format } : {}) })
              : linkClone(sim, vol, target, newid);
            delete d.file;
            d.size = formatSize(copy.size);
            conf[key] = printPropertyString(d, copy.volid);
          }
          reserved.conf = conf;
          sim.changed(reserved);
        } catch (err) {
          for (const key of Object.keys(sim.world.volumes)) if (!before.has(key)) delete sim.world.volumes[key];
          delete sim.world.vms[newid];
          sim.rrd.forget(newid);
          sim.changed();
          throw err;
        }
      },
    });
  });
  router.add("POST", "/nodes/{node}/qemu/{vmid}/template", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, disk: { type: "string", optional: true } } });
    const { sim } = ctx;
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    checkConfigLock(vm);
    if (vm.conf.template === 1) fail("you can't convert a template to a template");
    if (vm.running) fail("you can't convert a VM to template if VM is running");
    if (Object.keys(vm.snapshots).length > 0) fail("unable to create template, because VM contains snapshots");
    const only = str(p, "disk");
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmtemplate", flock: "exclusive",
      run: async (task) => {
        checkConfigLock(vm);
        if (vm.running) fail("you can't convert a VM to template if VM is running");
        await task.work();
        for (const key of Object.keys(vm.conf).filter(isDriveKey)) {
          if (only !== undefined && key !== only) continue;
          const d = parsePropertyString(String(vm.conf[key]), "file");
          if (d.media === "cdrom") continue;
          const file = d.file ?? "";
          const renamed = renameToBase(sim, file, vm.node);
          if (renamed !== file) task.log(`  Renamed "${file}" to "${renamed}"`);
          delete d.file;
          vm.conf[key] = printPropertyString(d, renamed);
        }
        vm.conf.template = 1;
        sim.changed(vm);
      },
    });
  });
}
