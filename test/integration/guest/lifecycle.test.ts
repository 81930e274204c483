import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestYaml, providersYaml, startGuestWorld, type GuestWorld } from "./world.js";

let w: GuestWorld;
const mounts = "    mounts:\n      - { share: media, path: /mnt/media }\n";
const share = `apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec: { provider: nas, size: 10GiB }
---
apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: files }
spec: { provider: cloud, size: 100GiB, azure: { storageAccount: guestfiles, subnets: [default] } }
`;
const pveVm = (vmid: number, guest = mounts, extra = "") => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: pv }
spec:
  provider: pve
  vmid: ${vmid}
  updatePolicy: replace-allowed
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ubuntu }
${extra}${guest === "" ? "" : guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, guest)}`;
const nasVm = () => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: nv }
spec:
  provider: nas
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
${guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, mounts).replace("  guest:\n", "  guest:\n    address: \"{name}.lan\"\n")}`;
const azVm = () => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: av }
spec:
  provider: cloud
  size: Standard_B2s
  memory: 4GiB
  image: { publisher: Canonical, offer: ubuntu-24_04-lts, sku: server }
  disks: [{ size: 32GiB }]
  networks: [{ subnet: default }]
  cloudInit: { user: ubuntu, sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com"] }
${guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, "    mounts:\n      - { share: files, path: /mnt/files, options: \"vers=4,minorversion=1,sec=sys\" }\n")}`;
const step = (p: { steps: Array<{ address: string }> }, a: string) => p.steps.find((s) => s.address === a) as Record<string, any>;
const failures = (r: { events: Array<{ type: string }> }) => r.events.filter((e) => e.type === "step.failed");

beforeAll(async () => {
  w = await startGuestWorld();
  await w.write({ "providers.yaml": providersYaml({ proxmox: w.env.VMSYNC_SIM_PROXMOX_ENDPOINT!, truenas: w.env.VMSYNC_SIM_TRUENAS_ENDPOINT!, azure: w.env.VMSYNC_SIM_AZURE_ENDPOINT! }), "share.yaml": share });
});
afterAll(async () => w?.stop());

describe("guests through their VMs' lives", () => {
  it("mounts shares in Proxmox, TrueNAS (by name) and Azure guests (NIC address, Azure Files)", async () => {
    await w.write({ "pv.yaml": pveVm(300), "nv.yaml": nasVm(), "av.yaml": azVm() });
    const r = await w.reconcile({ apply: true });
    expect(failures(r)).toEqual([]);
    expect(w.guests.admin.guest("pv")!.mounts.map((m) => m.source)).toEqual([expect.stringMatching(/:\/mnt\/tank\/vmsync\/media$/)]);
    expect(w.guests.admin.guest("nv")!.mounts.map((m) => m.target)).toEqual(["/mnt/media"]);
    expect(w.guests.admin.guest("av")!.mounts.map((m) => m.source)).toEqual(["guestfiles.file.core.windows.net:/guestfiles/files"]);
    expect((await w.reconcile()).plan.steps.filter((s) => s.action !== "noop").map((s) => s.address)).toEqual([]);
  });

  it("sets the guest up again inside a VM that is replaced (new host key trusted on first use)", async () => {
    const before = (await w.store.read()).resources["VirtualMachine/pv@guest"]!.externalId;
    await w.write({ "pv.yaml": pveVm(301) });
    const r = await w.reconcile({ apply: true });
    expect(step(r.plan, "VirtualMachine/pv")).toMatchObject({ action: "replace" });
    expect(step(r.plan, "VirtualMachine/pv@guest")).toMatchObject({ action: "create", reasonCode: "follows-parent" });
    expect(failures(r)).toEqual([]);
    const after = (await w.store.read()).resources["VirtualMachine/pv@guest"]!.externalId;
    expect(after).not.toBe(before);
    expect(w.guests.admin.guest("pv")!.mounts.map((m) => m.target)).toEqual(["/mnt/media"]);
    expect((await w.reconcile()).plan.steps.filter((s) => s.action !== "noop").map((s) => s.address)).toEqual([]);
  });

  it("compares a stopped VM's guest with what was last applied, and applies a change once the VM runs again", async () => {
    await w.write({ "pv.yaml": pveVm(301, mounts, "  power: stopped\n") });
    const stop = await w.reconcile({ apply: true });
    expect(step(stop.plan, "VirtualMachine/pv@guest")).toMatchObject({ action: "noop", reasonCode: "suspended" }); // left alone while it is meant to be off
    expect(step(stop.plan, "VirtualMachine/pv")).toMatchObject({ action: "update" });
    await w.write({ "pv.yaml": pveVm(301, mounts + "    authorizedKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com\"]\n") });
    const start = await w.reconcile({ apply: true });
    expect(step(start.plan, "VirtualMachine/pv")).toMatchObject({ action: "update" });
    expect(step(start.plan, "VirtualMachine/pv@guest")).toMatchObject({ action: "update", changes: [expect.objectContaining({ path: "authorizedKeys" })] });
    expect(failures(start)).toEqual([]);
    // the reboot unmounted everything; fstab's line is mounted again at boot
    expect(w.guests.admin.guest("pv")!.mounts.map((m) => m.target)).toEqual(["/mnt/media"]);
  });

  it("takes its lines out of the guest when the guest section goes, and leaves a deleted VM alone", async () => {
    await w.write({ "pv.yaml": pveVm(301, "") });
    const r = await w.reconcile({ apply: true });
    expect(step(r.plan, "VirtualMachine/pv@guest")).toMatchObject({ action: "delete", reasonCode: "not-in-manifests" });
    expect(failures(r)).toEqual([]);
    expect(w.guests.admin.guest("pv")!.mounts).toEqual([]);
    expect(w.guests.admin.guest("pv")!.fs["/etc/fstab"]!.content).not.toContain("vmsync");
    await w.write({ "nv.yaml": "" });
    const gone = await w.reconcile({ apply: true });
    expect(step(gone.plan, "VirtualMachine/nv@guest")).toMatchObject({ action: "delete" });
    expect(step(gone.plan, "VirtualMachine/nv")).toMatchObject({ action: "delete", dependsOn: ["VirtualMachine/nv@guest"] });
    expect(failures(gone)).toEqual([]);
    expect((await w.store.read()).resources["VirtualMachine/nv@guest"]).toBeUndefined();
  });
});
