import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestYaml, providersYaml, startGuestWorld, type GuestWorld } from "./world.js";

let w: GuestWorld;
const files = (mounts: string) => ({
  "providers.yaml": providersYaml({ proxmox: w.env.VMSYNC_SIM_PROXMOX_ENDPOINT!, truenas: w.env.VMSYNC_SIM_TRUENAS_ENDPOINT!, azure: w.env.VMSYNC_SIM_AZURE_ENDPOINT! }),
  "share.yaml": `apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec: { provider: nas, size: 10GiB, networks: [10.0.0.0/8] }
`,
  "vm.yaml": `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: app }
spec:
  provider: pve
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ubuntu }
${guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, mounts)}`,
});

beforeAll(async () => {
  w = await startGuestWorld({ bootMs: 300 });
});
afterAll(async () => w?.stop());

describe("guest mounts over SSH against the simulators", () => {
  it("creates the VM, waits for its guest, mounts the share; a second plan is clean", async () => {
    await w.write(files("    mounts:\n      - { share: media, path: /mnt/media }\n"));
    const first = await w.reconcile({ apply: true });
    const failed = first.events.filter((e) => e.type === "step.failed");
    expect(failed).toEqual([]);
    expect(first.plan.steps.map((s) => [s.address, s.action])).toEqual([
      ["NfsShare/media", "create"], ["VirtualMachine/app", "create"], ["VirtualMachine/app@guest", "create"],
    ]);
    const guest = w.guests.admin.guest("app")!;
    expect(guest.fs["/etc/fstab"]!.content).toContain("/mnt/media nfs vers=4.1,hard 0 0");
    expect(guest.mounts.map((m) => [m.target, m.fstype])).toEqual([["/mnt/media", "nfs4"]]);
    const second = await w.reconcile();
    expect(second.plan.steps.filter((s) => s.action !== "noop")).toEqual([]);
    expect(second.plan.drift).toEqual([]);
  });

  it("shows a mount removed by hand as drift and puts it back", async () => {
    expect(w.guests.admin.run("app", "umount /mnt/media").code).toBe(0);
    const p = await w.reconcile();
    expect(p.plan.drift).toEqual([{ address: "VirtualMachine/app@guest", type: "changed", changes: [{ path: "mounts./mnt/media.mounted", applied: true, observed: false }] }]);
    const step = p.plan.steps.find((s) => s.address === "VirtualMachine/app@guest")!;
    expect(step.changes).toEqual([expect.objectContaining({ path: "mounts./mnt/media.mounted", before: false, after: true, effect: "in-place" })]);
    await w.reconcile({ apply: true });
    expect(w.guests.admin.guest("app")!.mounts.map((m) => m.target)).toEqual(["/mnt/media"]);
    expect((await w.reconcile()).plan.drift).toEqual([]);
  });

  it("refuses to unmount a busy path, with umount's reason, and changes nothing", async () => {
    await w.write(files(""));
    w.guests.admin.hold("app", "/mnt/media/incoming");
    const r = await w.reconcile({ apply: true });
    const failed = r.events.find((e) => e.type === "step.failed");
    expect(failed).toMatchObject({ address: "VirtualMachine/app@guest", code: "GUEST_BUSY" });
    expect(failed && "error" in failed ? failed.error : "").toContain("umount: /mnt/media: target is busy.");
    expect(w.guests.admin.guest("app")!.fs["/etc/fstab"]!.content).toContain("/mnt/media");
    w.guests.admin.release("app", "/mnt/media/incoming");
    await w.reconcile({ apply: true });
    expect(w.guests.admin.guest("app")!.mounts).toEqual([]);
    expect(w.guests.admin.guest("app")!.fs["/etc/fstab"]!.content).not.toContain("vmsync");
  });
});
