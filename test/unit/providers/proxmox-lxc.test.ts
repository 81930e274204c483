import { describe, expect, it } from "vitest";
import type { FieldChange } from "../../../src/providers/contract.js";
import { diffContainer } from "../../../src/providers/proxmox/lxc-diff.js";
import { normaliseContainer } from "../../../src/providers/proxmox/lxc-normalise.js";
import { sshFingerprint, type CtSpec } from "../../../src/providers/proxmox/lxc-spec.js";
import { featuresValue, parseFeatures } from "../../../src/providers/proxmox/lxc-values.js";

const base: CtSpec = {
  node: "pve1", vmid: 105, hostname: "app", ostemplate: "local:vztmpl/debian.tar.zst", clone: null, template: false, unprivileged: true,
  cores: 2, memory: 1024, swap: 512, rootfs: { storage: "local-lvm", size: 8192 },
  mountPoints: {
    mp0: { path: "/data", readOnly: false, volume: { storage: "local-lvm", size: 2048, backup: true }, bind: null },
    mp1: { path: "/media", readOnly: true, volume: null, bind: { hostPath: "/mnt/pve/nas/films", storage: "nas", subdir: "films" } },
  },
  networks: { net0: { name: "eth0", bridge: "vmbr0", vlan: null, ip: "dhcp", gateway: null, mac: "BC:24:11:00:00:01" } },
  features: { fuse: false, keyctl: false, mknod: false, nesting: true, mount: [] },
  sshKeys: ["SHA256:x"], rootPassword: "env:PW", onboot: false, power: "running", tags: [], description: "",
};

/** One row per rule: a change to the observed spec, and the effects the diff must give. */
const rows: Array<{ reason: string; desired: (s: CtSpec) => void; observed?: (s: CtSpec) => void; expect: Record<string, FieldChange["effect"]> }> = [
  { reason: "cores, memory and swap are hot-plugged", desired: (s) => Object.assign(s, { cores: 4, memory: 2048, swap: 0 }), expect: { cores: "in-place", memory: "in-place", swap: "in-place" } },
  { reason: "rootfs grows in place and never shrinks", desired: (s) => (s.rootfs.size = 4096), expect: { "rootfs.size": "unsupported" } },
  { reason: "rootfs grow", desired: (s) => (s.rootfs.size = 16384), expect: { "rootfs.size": "in-place" } },
  { reason: "a moved root volume is a replacement", desired: (s) => (s.rootfs.storage = "zfs"), expect: { "rootfs.storage": "replace" } },
  { reason: "features wait for a restart on a running container", desired: (s) => (s.features.keyctl = true), expect: { "features.keyctl": "restart" } },
  { reason: "features change at once on a stopped one", desired: (s) => (s.features.keyctl = true), observed: (s) => (s.power = "stopped"), expect: { "features.keyctl": "in-place", power: "in-place" } },
  { reason: "a new mount point is hot-plugged", desired: (s) => (s.mountPoints.mp2 = { path: "/logs", readOnly: false, volume: { storage: "local-lvm", size: 512, backup: false }, bind: null }), expect: { "mountPoints.mp2": "in-place" } },
  { reason: "a volume mount point is never removed", desired: (s) => delete s.mountPoints.mp0, expect: { "mountPoints.mp0": "unsupported" } },
  { reason: "a bind mount point is removed at the next restart", desired: (s) => delete s.mountPoints.mp1, expect: { "mountPoints.mp1": "restart" } },
  { reason: "a changed mount path waits for a restart", desired: (s) => (s.mountPoints.mp0!.path = "/srv"), expect: { "mountPoints.mp0.path": "restart" } },
  { reason: "a volume mount point grows", desired: (s) => (s.mountPoints.mp0!.volume!.size = 4096), expect: { "mountPoints.mp0.volume.size": "in-place" } },
  { reason: "desired binds compare only what they say (a share's storage and subdir)", desired: (s) => (s.mountPoints.mp1!.bind = { storage: "nas", subdir: "films" }), expect: {} },
  { reason: "an OS template change is a replacement", desired: (s) => (s.ostemplate = "local:vztmpl/ubuntu.tar.zst"), expect: { ostemplate: "replace" } },
  { reason: "unprivileged is read-only after creation", desired: (s) => (s.unprivileged = false), expect: { unprivileged: "replace" } },
  { reason: "SSH keys and the root password exist only at creation", desired: (s) => Object.assign(s, { sshKeys: ["SHA256:y"], rootPassword: "env:OTHER" }), expect: { sshKeys: "replace", rootPassword: "replace" } },
  { reason: "create-time facts not recorded (an imported container) are recorded in place", desired: () => {}, observed: (s) => Object.assign(s, { ostemplate: null, sshKeys: null, rootPassword: null }), expect: { ostemplate: "in-place", sshKeys: "in-place", rootPassword: "in-place" } },
  { reason: "a NIC removed at the provider side shows as removed", desired: () => {}, observed: (s) => (s.networks.net1 = { name: "eth1", bridge: "vmbr1", vlan: null, ip: null, gateway: null, mac: "BC:24:11:00:00:02" }), expect: { "networks.net1": "in-place" } },
  { reason: "the generated MAC is not managed unless pinned", desired: (s) => delete s.networks.net0!.mac, observed: (s) => (s.networks.net0!.mac = "BC:24:11:99:99:99"), expect: {} },
  { reason: "a template's volumes change only by replacement", desired: (s) => Object.assign(s, { template: true, rootfs: { storage: "local-lvm", size: 16384 }, power: undefined }), observed: (s) => Object.assign(s, { template: true, power: undefined }), expect: { "rootfs.size": "replace" } },
];

describe("Container diff: effects by field (pve-container's running-container rules)", () => {
  it.each(rows)("$reason", (row) => {
    const desired = structuredClone(base);
    const observed = structuredClone(base);
    row.desired(desired);
    row.observed?.(observed);
    const changes = diffContainer(desired as unknown as Record<string, unknown>, observed as unknown as Record<string, unknown>);
    expect(Object.fromEntries(changes.map((c) => [c.path, c.effect]))).toEqual(row.expect);
  });
});

describe("Container values", () => {
  it("fingerprints SSH keys as OpenSSH does (ssh-keygen -lf)", () => {
    expect(sshFingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example.com")).toBe("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
  });

  it("reads features in any spelling and writes them sorted, keeping flags vmsync does not manage", () => {
    expect(parseFeatures("nesting=yes,mount=nfs;cifs,keyctl=0")).toEqual({ fuse: false, keyctl: false, mknod: false, nesting: true, mount: ["cifs", "nfs"] });
    expect(featuresValue({ fuse: true, keyctl: false, mknod: false, nesting: true, mount: ["nfs"] }, "force_rw_sys=1,keyctl=1")).toBe("force_rw_sys=1,fuse=1,mount=nfs,nesting=1");
    expect(featuresValue({ fuse: false, keyctl: false, mknod: false, nesting: false, mount: [] }, "nesting=1")).toBeUndefined();
  });

  it("normalises a stored config: sizes, binds mapped to the storage that holds them, marker facts, description newline", () => {
    const { spec, marker } = normaliseContainer({
      node: "pve1", vmid: 120, running: false,
      config: {
        hostname: "media", memory: 2048, swap: 0, unprivileged: 1, rootfs: "local-lvm:vm-120-disk-0,size=1T", features: "nesting=1",
        mp0: "/mnt/vmsync/home/media/films/,mp=/srv/films,ro=1", net0: "name=eth0,bridge=vmbr0,hwaddr=bc:24:11:aa:bb:cc,ip=10.0.0.5/24,gw=10.0.0.1,tag=7,type=veth",
        tags: "vmsync;Media", description: "box\n\nmanaged-by=vmsync stack=home address=Container%2Fmedia ostemplate=local%3Avztmpl%2Fd.tar.zst ssh-keys= root-password=\n",
      },
    }, new Map([["nas-media", "/mnt/vmsync/home/media"], ["local", "/var/lib/vz"]]));
    expect(marker).toMatchObject({ stack: "home", address: "Container/media" });
    expect(spec).toMatchObject({
      hostname: "media", memory: 2048, swap: 0, unprivileged: true, cores: null, rootfs: { storage: "local-lvm", size: 1024 * 1024 },
      mountPoints: { mp0: { path: "/srv/films", readOnly: true, volume: null, bind: { hostPath: "/mnt/vmsync/home/media/films", storage: "nas-media", subdir: "films" } } },
      networks: { net0: { name: "eth0", bridge: "vmbr0", vlan: 7, ip: "10.0.0.5/24", gateway: "10.0.0.1", mac: "BC:24:11:AA:BB:CC" } },
      ostemplate: "local:vztmpl/d.tar.zst", sshKeys: [], rootPassword: "", tags: ["media"], description: "box", power: "stopped",
    });
  });
});
