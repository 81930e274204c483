import { afterEach, describe, expect, it } from "vitest";
import { allGuests, pveApi, providerYaml, reconcile, startWorld, vmYaml, waitUpid, type World } from "./helpers.js";

const manifests = (cores = 2) => ({
  "pve.yaml": providerYaml(),
  "template.yaml": `apiVersion: vmsync.io/v1
kind: VmTemplate
metadata:
  name: base
spec:
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ops, sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com"] }
  proxmox: { provider: pve }
`,
  "web.yaml": vmYaml("web", `  template: base
  replicas: 3
  cpu: { cores: ${cores} }
  disks: [{ size: 8GiB }]
  tags: [web, prod]
  description: "web tier\\n"
`),
  "db.yaml": vmYaml("db", `  memory: 2GiB
  disks: [{ size: 16GiB }, { size: 32GiB, bus: virtio }]
  networks: [{ vlan: 30 }, { model: e1000 }]
  iso: local:iso/ubuntu-24.04.1-live-server-amd64.iso
  autostart: true
  power: stopped
`),
  "share.yaml": `apiVersion: vmsync.io/v1
kind: Provider
metadata:
  name: nas
spec:
  type: truenas
  endpoint: wss://10.0.0.5
  auth: { apiKey: { env: NAS_KEY } }
  defaults: { pool: tank }
---
apiVersion: vmsync.io/v1
kind: NfsShare
metadata:
  name: media
spec:
  provider: nas
  size: 10GiB
  attachTo: [{ provider: pve, storage: media, server: 10.0.0.5 }]
`,
});

/** The NfsShare itself lives on TrueNAS, which is stubbed here (see `exporterStub`). */
const pveOnly = {};

describe("proxmox provider: plan → apply → plan through the reconciler", () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it("converges: the second plan has no changes, even with /cluster/resources lagging 10 s", async () => {
    w = await startWorld({ clusterResourcesLagMs: 10_000 });
    await w.write(manifests());
    const first = await reconcile(w, { apply: true, planOptions: pveOnly });
    expect(first.plan.summary).toEqual({ create: 6, update: 0, replace: 0, delete: 0 });
    expect(first.result?.result).toBe("succeeded");
    const second = await reconcile(w, { apply: false, planOptions: pveOnly });
    expect(second.plan.steps.filter((s) => s.action !== "noop").map((s) => [s.address, s.changes])).toEqual([]);
    expect(second.plan.drift).toEqual([]);
    expect((await allGuests(w)).filter((g) => g.name.startsWith("web")).every((g) => g.status === "running")).toBe(true);

    // a change in the manifests: cores on running clones → update with restart
    await w.write({ "web.yaml": manifests(4)["web.yaml"] });
    const third = await reconcile(w, { apply: true, planOptions: pveOnly });
    const web1 = third.plan.steps.find((s) => s.address === "VirtualMachine/web-1")!;
    expect(web1).toMatchObject({ action: "update", restartRequired: true });
    expect(web1.changes).toEqual([expect.objectContaining({ path: "cpu.cores", before: 2, after: 4, effect: "restart" })]);
    expect((await reconcile(w, { apply: false, planOptions: pveOnly })).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("shows a change made behind vmsync's back as drift and as a change, and deletes what left the manifests", async () => {
    w = await startWorld();
    await w.write(manifests());
    await reconcile(w, { apply: true, planOptions: pveOnly });
    const db = (await allGuests(w)).find((g) => g.name === "db")!;
    expect(await waitUpid(w, (await pveApi(w, "POST", `/nodes/pve1/qemu/${db.vmid}/config`, { memory: 4096, tags: "vmsync;other" })).data)).toBe("OK");
    const p = (await reconcile(w, { apply: false, planOptions: pveOnly })).plan;
    expect(p.drift).toEqual([{ address: "VirtualMachine/db", type: "changed", changes: [{ path: "memory", applied: 2048, observed: 4096 }, { path: "tags", applied: [], observed: ["other"] }] }]);
    const step = p.steps.find((s) => s.address === "VirtualMachine/db")!;
    expect(step.changes.map((c) => [c.path, c.effect])).toEqual([["memory", "in-place"], ["tags", "in-place"]]);
    await reconcile(w, { apply: true, planOptions: pveOnly });
    expect((await reconcile(w, { apply: false, planOptions: pveOnly })).plan.summary.update).toBe(0);

    await w.write({ "db.yaml": "" });
    const del = await reconcile(w, { apply: true, planOptions: pveOnly });
    expect(del.plan.steps.find((s) => s.address === "VirtualMachine/db")?.action).toBe("delete");
    expect((await allGuests(w)).some((g) => g.name === "db")).toBe(false);
  });

  it("converges with 10% injected faults, without duplicate VMs", async () => {
    w = await startWorld();
    await w.write(manifests());
    w.sim.setKnobs({ faultRate: 0.1, seed: Number(process.env.FAULT_SEED ?? 7) });
    const failed: number[] = [];
    let rounds = 0;
    for (; rounds < 6; rounds++) {
      const r = await reconcile(w, { apply: true, planOptions: pveOnly, onRequest: (q) => void (q.status === undefined || q.status >= 500 ? failed.push(q.status ?? 0) : 0) }).catch((e: unknown) => ({ error: e }));
      if (process.env.DEBUG_FAULTS) console.log(rounds, "error" in r ? String(r.error) : [r.plan.summary, r.result?.result, r.result?.steps.filter((s) => s.error)]);
      if ("plan" in r && r.result?.result === "succeeded" && r.plan.summary.create + r.plan.summary.update === 0) break;
    }
    w.sim.setKnobs({ faultRate: 0 });
    expect(rounds).toBeLessThan(6);
    expect(failed.length).toBeGreaterThan(3); // faults really happened (and were retried)
    const p = (await reconcile(w, { apply: false, planOptions: pveOnly })).plan;
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    const named = (await allGuests(w)).filter((g) => !/^VM \d+$/.test(g.name)).map((g) => g.name).sort();
    expect(named).toEqual(["base", "db", "web-1", "web-2", "web-3"]);
  });
});
