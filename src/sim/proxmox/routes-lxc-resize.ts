import { configDigest } from "./config-file.js";
import { fail } from "./errors.js";
import { printMount } from "./lxc-canonical.js";
import { checkCtLock, ctOf, stillThere } from "./lxc-guest.js";
import { mountType } from "./lxc-schema.js";
import { formatSize, parsePropertyString, parseSize } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { forkVmTask } from "./vm-tasks.js";
import { findVolume } from "./volumes.js";

/**
 * `PUT /nodes/{node}/lxc/{vmid}/resize` → `resize` UPID (pve-container `resize_vm`). Unlike QEMU,
 * every check runs before the fork and fails the request (500): lock, digest, a mount point that is
 * not a storage volume (`unable to parse volume ID '/…'`), another owner, `unable to shrink disk
 * size` and `disk is already at specified size`. Running containers are resized online.
 */
export function registerLxcResizeRoutes(router: Router): void {
  router.add("PUT", "/nodes/{node}/lxc/{vmid}/resize", (ctx) => {
    const p = validate(ctx.input, {
      props: {
        node: P.node, vmid: P.vmid, disk: { type: "string", pattern: /^(rootfs|mp([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]))$/ },
        size: { type: "string", pattern: /^\+?\d+(\.\d+)?[KMGT]?$/ }, digest: { type: "string", optional: true, maxLength: 40 },
      },
    });
    const { sim } = ctx;
    const ct = ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    const disk = str(p, "disk")!;
    const sizeText = str(p, "size")!;
    const check = () => {
      checkCtLock(ct);
      const digest = str(p, "digest");
      if (digest !== undefined && digest !== configDigest(ct)) fail("detected modified configuration - file changed by other user? Try again.");
      const value = ct.conf[disk];
      if (value === undefined) fail(`format error\nvolume: property is missing and it is not optional`);
      const m = parsePropertyString(String(value), "volume");
      if (mountType(m.volume ?? "") !== "volume") fail(`unable to parse volume ID '${m.volume}'`);
      const vol = findVolume(sim, m.volume!, ct.node);
      if (!vol) fail(`no such volume '${m.volume}'`);
      if (vol.vmid !== ct.vmid) fail(`can't resize mount point owned by another container (${vol.vmid})`);
      const amount = parseSize(sizeText.replace(/^\+/, ""))!;
      const wanted = Math.floor(sizeText.startsWith("+") ? vol.size + amount : amount);
      if (wanted < vol.size) fail("unable to shrink disk size");
      if (wanted === vol.size) fail("disk is already at specified size");
      return { m, vol, wanted };
    };
    check();
    return forkVmTask(ctx, {
      node: ct.node, vmid: ct.vmid, type: "resize", flock: "exclusive", guestType: "lxc",
      run: async (task) => {
        if (!stillThere(sim, ct)) fail(`Configuration file 'nodes/${ct.node}/lxc/${ct.vmid}.conf' does not exist`);
        const { m, vol, wanted } = check();
        await task.work();
        task.log(`  Size of logical volume changed from ${formatSize(vol.size)} to ${formatSize(wanted)}.`);
        vol.size = wanted;
        m.size = formatSize(wanted);
        ct.conf[disk] = printMount(disk, m);
        if (!ct.running) task.log("resize2fs: resizing the filesystem (offline)");
        sim.changed(ct);
      },
    });
  });
}
