import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProviders } from "../../../src/cli/connect.js";
import { loadManifests } from "../../../src/manifest/load.js";
import type { ProxmoxSession } from "../../../src/providers/proxmox/session.js";
import { startGuestWorld, type GuestWorld } from "./world.js";

let w: GuestWorld;
const provider = () => `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: ${w.env.VMSYNC_SIM_PROXMOX_ENDPOINT}
  tls: { caFile: { env: VMSYNC_SIM_PROXMOX_CA } }
  auth: { tokenId: { env: VMSYNC_SIM_PROXMOX_TOKEN_ID }, tokenSecret: { env: VMSYNC_SIM_PROXMOX_TOKEN_SECRET } }
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
  snippets:
    storage: local
    ssh:
      privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }
      hostKeys: { pve1: { env: VMSYNC_SIM_GUEST_HOST_KEY } }
      via: { address: 127.0.0.1, port: ${w.env.VMSYNC_SIM_GUEST_PORT}, user: vmsync, privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }, hostKey: { env: VMSYNC_SIM_GUEST_HOST_KEY } }
`;
const vm = (packages: string) => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: sn }
spec:
  provider: pve
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit:
    user: ubuntu
    packages: [${packages}]
    startupScript: |
      #!/bin/sh
      echo ready > /var/tmp/ready
`;
/** The snippets the Proxmox API lists on pve1's `local` storage (read through a provider session). */
const snippets = async () => {
  const desired = await w.load();
  const conn = await connectProviders(["pve"], desired, { stack: "x", env: w.env });
  try {
    const api = (conn.sessions.get("pve") as ProxmoxSession).context.api;
    return (await api.get<Array<{ volid: string; format: string; content: string }>>("/nodes/pve1/storage/local/content", { content: "snippets" })).map((v) => v.volid);
  } finally {
    await conn.close();
  }
};
const vmConfig = async () => {
  const desired = await w.load();
  const conn = await connectProviders(["pve"], desired, { stack: "x", env: w.env });
  try {
    const api = (conn.sessions.get("pve") as ProxmoxSession).context.api;
    const list = await api.get<Array<{ vmid: number; name: string }>>("/nodes/pve1/qemu");
    const vmid = list.find((g) => g.name === "sn")?.vmid;
    return vmid === undefined ? undefined : api.get<Record<string, unknown>>(`/nodes/pve1/qemu/${vmid}/config`);
  } finally {
    await conn.close();
  }
};

beforeAll(async () => {
  w = await startGuestWorld();
});
afterAll(async () => w?.stop());

describe("Proxmox cloud-init snippets over SFTP", () => {
  it("no longer warns that packages and the startup script are not applied", async () => {
    await w.write({ "pve.yaml": provider(), "vm.yaml": vm("htop") });
    const r = await loadManifests([w.dir], w.dir);
    expect(r.diagnostics).toEqual([]);
  });

  it("uploads the user-data, names it in cicustom, and the guest's cloud-init runs it", async () => {
    const r = await w.reconcile({ apply: true });
    expect(r.events.filter((e) => e.type === "step.failed")).toEqual([]);
    const step = r.plan.steps.find((s) => s.address === "VirtualMachine/sn")!;
    const volid = (step.desired as { cloudInit: { snippet: string } }).cloudInit.snippet;
    expect(volid).toMatch(/^local:snippets\/vmsync-sn-[0-9a-f]{12}\.yaml$/);
    const guest = w.guests.admin.guest("sn")!; // the running VM's guest, booted from that user-data
    const userData = guest.fs["/var/lib/cloud/instance/user-data.txt"]!.content!;
    expect(userData).toContain('packages: ["htop"]');
    expect(userData).toContain("/var/lib/vmsync/startup.sh");
    expect(await snippets()).toEqual([volid]);
    expect((await vmConfig())?.cicustom).toBe(`user=${volid}`);
    expect((await w.reconcile()).plan.steps.filter((s) => s.action !== "noop")).toEqual([]);
  });

  it("a changed package list is a new snippet (by its hash); the old one is removed", async () => {
    const before = await snippets();
    await w.write({ "vm.yaml": vm("htop, nfs-common") });
    const r = await w.reconcile({ apply: true });
    const step = r.plan.steps.find((s) => s.address === "VirtualMachine/sn")!;
    expect(step).toMatchObject({ action: "update" });
    expect(step.changes.map((c) => c.path)).toEqual(["cloudInit.snippet"]);
    expect(r.events.filter((e) => e.type === "step.failed")).toEqual([]);
    const after = await snippets();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect((await vmConfig())?.cicustom).toBe(`user=${after[0]}`);
  });

  it("the snippet goes with the VM", async () => {
    await w.write({ "vm.yaml": "" });
    const r = await w.reconcile({ apply: true, allowMassDelete: true });
    expect(r.events.filter((e) => e.type === "step.failed")).toEqual([]);
    expect(await vmConfig()).toBeUndefined();
    expect(await snippets()).toEqual([]);
  });
});
