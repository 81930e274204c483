import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxmoxProvider, type ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { allGuests, connect, createOne, desiredSpec, providerYaml, pveApi, startWorld, type World } from "./helpers.js";

const templates = `apiVersion: vmsync.io/v1
kind: VmTemplate
metadata:
  name: ubuntu
spec:
  cpu: { cores: 1 }
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ubuntu }
  tags: [base]
  proxmox: { provider: pve, vmid: 9000 }
---
apiVersion: vmsync.io/v1
kind: VmTemplate
metadata:
  name: ubuntu-linked
spec:
  template: ubuntu
  proxmox: { provider: pve, linkedClones: true }
`;

function clones(prefix: string, template: string, replicas: number): string {
  return `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${prefix}
spec:
  provider: pve
  template: ${template}
  replicas: ${replicas}
  cpu: { cores: 2 }
  memory: 2GiB
  disks: [{ size: 10GiB }, { size: 2GiB }]
  tags: [app]
`;
}

describe("proxmox provider: template VMs and clones", () => {
  let w: World;
  let session: ProxmoxSession;
  beforeAll(async () => {
    w = await startWorld({ lockTimeoutMs: 200 });
    await w.write({ "pve.yaml": providerYaml({ concurrency: 8 }), "templates.yaml": templates, "full.yaml": clones("full", "ubuntu", 4), "linked.yaml": clones("linked", "ubuntu-linked", 4) });
    session = await connect(w, await w.load());
  });
  afterAll(async () => {
    await session.close();
    await w.stop();
  });

  it("creates template VMs (POST …/template) with pinned and allocated VMIDs", async () => {
    const desired = await w.load();
    const t1 = await createOne(session, desired, "VmTemplate/ubuntu");
    const t2 = await createOne(session, desired, "VmTemplate/ubuntu-linked");
    expect(t1.kind).toBe("VmTemplate");
    expect(t1.externalId).toBe("pve1/9000");
    expect(t2.externalId).toMatch(/^pve1\/\d+$/);
    for (const [t, a] of [[t1, "VmTemplate/ubuntu"], [t2, "VmTemplate/ubuntu-linked"]] as const) {
      expect(proxmoxProvider.diff("VmTemplate", desiredSpec(desired, a), t.spec)).toEqual([]);
    }
    const conf = (await pveApi(w, "GET", `/nodes/pve1/qemu/9000/config`)).data as Record<string, unknown>;
    expect(conf.template).toBe(1);
    expect(String(conf.scsi0)).toMatch(/base-9000-disk-0/);
  });

  it("clones full and linked VMs in parallel (serialised per template), converging each to its spec", async () => {
    const desired = await w.load();
    const addresses = [1, 2, 3, 4].flatMap((i) => [`VirtualMachine/full-${i}`, `VirtualMachine/linked-${i}`]);
    const made = await Promise.all(addresses.map((a) => createOne(session, desired, a)));
    for (const [i, o] of made.entries()) {
      expect(proxmoxProvider.diff("VirtualMachine", desiredSpec(desired, addresses[i]!), o.spec)).toEqual([]);
      expect((o.spec as any).power).toBe("running");
      expect((o.spec as any).disks.map((d: any) => d.size)).toEqual([10240, 2048]);
    }
    const full1 = made[0]!;
    const linked1 = made[1]!;
    expect((full1.spec as any).clone).toEqual({ template: "ubuntu", mode: "full" });
    expect((linked1.spec as any).clone).toEqual({ template: "ubuntu-linked", mode: "linked" });
    const lconf = (await pveApi(w, "GET", `/nodes/pve1/qemu/${linked1.externalId.split("/")[1]}/config`)).data as Record<string, unknown>;
    expect(String(lconf.scsi0)).toMatch(/base-\d+-disk-0\/vm-\d+-disk-0/);
    const fconf = (await pveApi(w, "GET", `/nodes/pve1/qemu/${full1.externalId.split("/")[1]}/config`)).data as Record<string, unknown>;
    expect(String(fconf.scsi0)).not.toMatch(/base-/);
    const guests = await allGuests(w);
    const names = guests.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    expect(guests.length).toBe(10);
    // the MACs of clones are new and distinct
    const macs = made.map((o) => (o.spec as any).networks[0].mac);
    expect(new Set(macs).size).toBe(macs.length);
  });
});
