import { configDigest } from "./config-file.js";
import { fail } from "./errors.js";
import { formatSize, parsePropertyString, parseSize, printPropertyString } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { DRIVE_RE } from "./vm-schema.js";
import { checkConfigLock, forkVmTask } from "./vm-tasks.js";
import { findVolume } from "./volumes.js";

/**
 * `PUT /nodes/{node}/qemu/{vmid}/resize` → `resize` UPID (asynchronous since PVE 8.0). `size` is
 * absolute or `+` relative; shrinking fails the task with `shrinking disks is not supported`, an equal
 * size is a no-op, and the stored `size=` is rewritten in the largest exact unit.
 */
export function registerVmResizeRoutes(router: Router): void {
  router.add("PUT", "/nodes/{node}/qemu/{vmid}/resize", (ctx) => {
    const p = validate(ctx.input, {
      props: {
        node: P.node, vmid: P.vmid, disk: { type: "string", pattern: DRIVE_RE }, size: { type: "string", pattern: /^\+?\d+(\.\d+)?[KMGT]?$/ },
        digest: { type: "string", optional: true, maxLength: 40 }, skiplock: P.optBool,
      },
    });
    const { sim } = ctx;
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const skiplock = p.skiplock === 1;
    checkConfigLock(vm, skiplock);
    const digest = str(p, "digest");
    if (digest !== undefined && digest !== configDigest(vm)) fail("checksum mismatch (file change by other user?)");
    const disk = str(p, "disk")!;
    const sizeText = str(p, "size")!;
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "resize", flock: "exclusive",
      run: async (task) => {
        checkConfigLock(vm, skiplock);
        const value = vm.conf[disk];
        if (value === undefined) fail(`disk '${disk}' does not exist`);
        const d = parsePropertyString(String(value), "file");
        if (d.media === "cdrom") fail("you can't resize a cdrom");
        const vol = findVolume(sim, d.file ?? "", vm.node);
        const current = vol?.size ?? parseSize(d.size ?? "0") ?? 0;
        const relative = sizeText.startsWith("+");
        const amount = parseSize(sizeText.replace(/^\+/, ""))!;
        const wanted = relative ? current + amount : amount;
        if (wanted < current) fail("shrinking disks is not supported");
        if (wanted === current) {
          task.log(`disk '${disk}' already has size ${formatSize(current)} - nothing to do`);
          return;
        }
        await task.work();
        if (vol) vol.size = wanted;
        const file = d.file!;
        delete d.file;
        d.size = formatSize(wanted);
        vm.conf[disk] = printPropertyString(d, file);
        task.log(`  Size of logical volume changed from ${formatSize(current)} to ${formatSize(wanted)}.`);
        sim.changed(vm);
      },
    });
  });
}
