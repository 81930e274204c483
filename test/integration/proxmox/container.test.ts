import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxmoxProvider, type CtSpec, type ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { sshFingerprint } from "../../../src/providers/proxmox/lxc-spec.js";
import { connect, desiredSpec, failure, op, providerYaml, pveApi, reconcile, resource, startWorld, STACK, waitUpid, type World } from "./helpers.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com";
const DEBIAN = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

function ctYaml(name: string, extra: string): string {
  return `apiVersion: vmsync.io/v1
kind: Container
metadata:
  name: ${name}
spec:
  provider: pve
${extra}`;
}

const cache = (o: { cores?: number; memory?: string; rootfs?: string; mounts?: string; features?: string } = {}) => ctYaml("cache", `  ostemplate: ${DEBIAN}
  cores: ${o.cores ?? 1}
  memory: ${o.memory ?? "512MiB"}
  swap: 256MiB
  rootfs: { size: ${o.rootfs ?? "4GiB"} }
  mountPoints:
    - { path: /var/cache/app, size: 1GiB, backup: true }
${o.mounts ?? ""}  networks: [{ vlan: 20 }, { name: lan, ip: 10.20.0.5/24, gateway: 10.20.0.1 }]
  features: { nesting: true${o.features ?? ""} }
  sshKeys: ["${KEY}"]
  rootPassword: { env: CT_ROOT_PASSWORD }
  onboot: true
  tags: [cache, demo]
  description: "cache tier"
`);

/** The one Container step of a plan. */
function stepOf(p: Awaited<ReturnType<typeof reconcile>>["plan"], address: string) {
  return p.steps.find((s) => s.address === address)!;
}

describe("proxmox provider: LXC containers over HTTPS against the simulator", () => {
  let w: World;
  let stateDir: string;
  const run = (apply: boolean) => reconcile(w, { apply, stateDir });
  const raw = async (vmid: number) => (await pveApi(w, "GET", `/nodes/pve1/lxc/${vmid}/config`)).data as Record<string, string | number>;
  let vmid = 0;

  beforeAll(async () => {
    w = await startWorld();
    w.env.CT_ROOT_PASSWORD = "correct horse battery";
    stateDir = w.dir;
    await w.write({ "pve.yaml": providerYaml(), "cache.yaml": cache() });
  });
  afterAll(async () => w.stop());

  it("creates a container that observes with no diff, secrets only inside it and (sensitive) in the plan", async () => {
    const first = await run(true);
    const step = stepOf(first.plan, "Container/cache");
    expect(step.action).toBe("create");
    expect(step.sensitive).toEqual(["rootPassword"]);
    expect(step.desired?.rootPassword).toBe("env:CT_ROOT_PASSWORD");
    expect(JSON.stringify(first.plan)).not.toContain("correct horse");
    expect(first.result!.result, JSON.stringify(first.result)).toBe("succeeded");
    const observed = (await connected((s) => s.observe({ kinds: ["Container"], externalIds: [], names: ["cache"] })))[0]!;
    vmid = Number(observed.externalId.split("/")[1]);
    expect(observed).toMatchObject({ kind: "Container", name: "cache", marker: { stack: STACK, address: "Container/cache" }, status: { placement: "pve1", power: "running" } });
    const desired = await w.load();
    expect(proxmoxProvider.diff("Container", desiredSpec(desired, "Container/cache"), observed.spec)).toEqual([]);
    const s = observed.spec as unknown as CtSpec;
    expect(s.sshKeys).toEqual([sshFingerprint(KEY)]);
    expect(s.networks.net0!.mac).toMatch(/^BC:24:11:/);
    const c = await raw(vmid);
    expect(c).toMatchObject({ hostname: "cache", cores: 1, memory: 512, swap: 256, unprivileged: 1, features: "nesting=1", onboot: 1, tags: "cache;demo;vmsync" });
    expect(c.rootfs).toBe(`local-lvm:vm-${vmid}-disk-0,size=4G`);
    expect(c.mp0).toBe(`local-lvm:vm-${vmid}-disk-1,mp=/var/cache/app,backup=1,size=1G`);
    expect(c.net1).toMatch(/^name=lan,bridge=vmbr0,gw=10\.20\.0\.1,hwaddr=BC:24:11:[0-9A-F:]{8},ip=10\.20\.0\.5\/24,type=veth$/);
    expect(String(c.description)).toMatch(/^cache tier\n\nmanaged-by=vmsync stack=test address=Container%2Fcache ostemplate=local%3Avztmpl%2Fdebian-12/);
    expect(JSON.stringify(c)).not.toContain("correct horse");
    const world = (await (await import("axios")).default.get(`${w.sim.endpoint}/_sim/world`, { httpsAgent: new (await import("node:https")).Agent({ ca: (await import("node:fs")).readFileSync(w.sim.caFile) }) })).data as { vms: Record<string, { guestFs?: unknown }> };
    expect(world.vms[String(vmid)]!.guestFs).toEqual({ rootPasswordSha256: createHash("sha256").update("correct horse battery").digest("hex"), authorizedKeys: [KEY] });
    expect((await run(false)).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("updates cores, memory, rootfs (grow) and adds a mount point in place on the running container; the next plan is clean", async () => {
    await w.write({ "cache.yaml": cache({ cores: 2, memory: "1GiB", rootfs: "6GiB", mounts: "    - { path: /srv/logs, size: 512MiB }\n" }) });
    const p = await run(true);
    const step = stepOf(p.plan, "Container/cache");
    expect(step.action).toBe("update");
    expect(Object.fromEntries(step.changes.map((ch) => [ch.path, ch.effect]))).toEqual({ cores: "in-place", memory: "in-place", "rootfs.size": "in-place", "mountPoints.mp1": "in-place" });
    expect(p.result!.result).toBe("succeeded");
    const c = await raw(vmid);
    expect(c).toMatchObject({ cores: 2, memory: 1024, rootfs: `local-lvm:vm-${vmid}-disk-0,size=6G`, mp1: `local-lvm:vm-${vmid}-disk-2,mp=/srv/logs,size=512M` });
    expect((await pveApi(w, "GET", `/nodes/pve1/lxc/${vmid}/status/current`)).data).toMatchObject({ status: "running" });
    expect((await run(false)).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("restarts the container for a change Proxmox keeps pending (features), and not otherwise", async () => {
    const uptimeTask = (await pveApi(w, "GET", "/nodes/pve1/tasks", { vmid, typefilter: "vzreboot" })).data as unknown[];
    expect(uptimeTask).toEqual([]);
    await w.write({ "pve.yaml": providerYaml({ auth: "password" }), "cache.yaml": cache({ cores: 2, memory: "1GiB", rootfs: "6GiB", mounts: "    - { path: /srv/logs, size: 512MiB }\n", features: ", fuse: true" }) });
    const p = await run(true);
    expect(stepOf(p.plan, "Container/cache").changes.map((ch) => [ch.path, ch.effect])).toEqual([["features.fuse", "restart"]]);
    expect(p.result!.result, JSON.stringify(p.result)).toBe("succeeded");
    expect((await pveApi(w, "GET", "/nodes/pve1/tasks", { vmid, typefilter: "vzreboot" })).data).toHaveLength(1);
    expect((await pveApi(w, "GET", `/nodes/pve1/lxc/${vmid}/config`, { current: 1 })).data).toMatchObject({ features: "fuse=1,nesting=1" });
    expect((await run(false)).plan.summary.update).toBe(0);
  });

  it("shows drift made through the API and corrects it", async () => {
    expect((await pveApi(w, "PUT", `/nodes/pve1/lxc/${vmid}/config`, { memory: 768, tags: "cache" })).status).toBe(200);
    expect(await waitUpid(w, (await pveApi(w, "POST", `/nodes/pve1/lxc/${vmid}/status/shutdown`)).data)).toBe("OK");
    const p = await run(false);
    const drift = p.plan.drift.find((d) => d.address === "Container/cache")!;
    expect(drift.changes.map((c) => c.path).sort()).toEqual(["memory", "power", "tags"]);
    expect(stepOf(p.plan, "Container/cache").changes.map((c) => c.path).sort()).toEqual(["memory", "power", "tags"]);
    expect((await run(true)).result!.result).toBe("succeeded");
    expect(await raw(vmid)).toMatchObject({ memory: 1024, tags: "cache;demo;vmsync" });
    expect((await pveApi(w, "GET", `/nodes/pve1/lxc/${vmid}/status/current`)).data).toMatchObject({ status: "running" });
    expect((await run(false)).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("takes, lists and deletes snapshots of the container (SnapshotSchedule targets)", async () => {
    await connected(async (s) => {
      const target = { kind: "Container" as const, externalId: `pve1/${vmid}` };
      await s.snapshots!.create(target, "vmsync-nightly-202501010300", op());
      await s.snapshots!.create(target, "vmsync-nightly-202501010300", op()); // taken already: done
      expect((await s.snapshots!.list(target)).map((x) => x.name)).toEqual(["vmsync-nightly-202501010300"]);
      await s.snapshots!.delete(target, "vmsync-nightly-202501010300", op());
      expect(await s.snapshots!.list(target)).toEqual([]);
    });
  });

  it("blocks a change of an immutable field, and a shrink, naming them", async () => {
    await w.write({ "cache.yaml": cache({ cores: 2, memory: "1GiB", rootfs: "2GiB", mounts: "    - { path: /srv/logs, size: 512MiB }\n", features: ", fuse: true" }).replace("debian-12-standard_12.7-1", "debian-12-standard_12.8-1").replace("  onboot: true\n", "  onboot: true\n  unprivileged: false\n") });
    const step = stepOf((await run(false)).plan, "Container/cache");
    expect(step.blocked).toBe(true);
    expect(Object.fromEntries(step.changes.map((c) => [c.path, c.effect]))).toMatchObject({ ostemplate: "replace", unprivileged: "replace", "rootfs.size": "unsupported" });
  });

  it("deletes it when its manifest is gone (force: Proxmox stops it)", async () => {
    await w.write({ "cache.yaml": "" });
    const p = await run(true);
    expect(stepOf(p.plan, "Container/cache").action).toBe("delete");
    expect(p.result!.result).toBe("succeeded");
    expect((await pveApi(w, "GET", `/nodes/pve1/lxc/${vmid}/config`)).status).toBe(500);
  });

  async function connected<T>(fn: (s: ProxmoxSession) => Promise<T>): Promise<T> {
    const s = await connect(w, await w.load());
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }
});

describe("proxmox provider: container templates, clones, bind mounts and import", () => {
  let w: World;
  const nas = `apiVersion: vmsync.io/v1
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
  size: 100GiB
  attachTo: [{ provider: pve, storage: nas-media, content: [iso] }]
`;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w.stop());

  it("clones replicas from a container template (one clone of it at a time) and binds an NfsShare as root@pam", async () => {
    await w.write({
      "pve.yaml": providerYaml({ auth: "password" }),
      "nas.yaml": nas,
      "base.yaml": ctYaml("base", `  ostemplate: ${DEBIAN}\n  template: true\n  rootfs: { size: 2GiB }\n  networks: [{}]\n`),
      "app.yaml": ctYaml("app", "  replicas: 3\n  clone: { template: base }\n  memory: 1GiB\n  rootfs: { size: 3GiB }\n  mountPoints: [{ path: /media, share: media, subdir: films, readOnly: true }]\n"),
    });
    const p = await reconcile(w, { apply: true });
    expect(p.result!.result, JSON.stringify(p.result)).toBe("succeeded");
    expect(stepOf(p.plan, "Container/app-1").dependsOn.sort()).toEqual(["Container/base", "NfsShare/media@pve"]);
    const list = (await pveApi(w, "GET", "/nodes/pve1/lxc")).data as Array<{ vmid: number; name: string; template?: number }>;
    expect(list.map((e) => e.name).sort()).toEqual(["app-1", "app-2", "app-3", "base"]);
    const app = list.find((e) => e.name === "app-2")!;
    const c = (await pveApi(w, "GET", `/nodes/pve1/lxc/${app.vmid}/config`)).data as Record<string, string | number>;
    expect(c.mp0).toBe("/mnt/vmsync/test/media/films,mp=/media,ro=1");
    expect(c.rootfs).toBe(`local-lvm:vm-${app.vmid}-disk-0,size=3G`);
    expect(String(c.description)).toContain("clone-of=base clone=full");
    expect((await reconcile(w, { apply: false })).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("reports Proxmox's root@pam rule when a token tries to bind-mount", async () => {
    const d = await w.load();
    const spec = proxmoxProvider.canonicalize(resource(d, "Container/app-1"), d.providers.get("pve")!);
    await w.write({ "pve.yaml": providerYaml(), "app.yaml": "" });
    const s = await connect(w, await w.load());
    try {
      const err = await failure(s.create({ address: "Container/other", kind: "Container", name: "other", spec: { ...spec, hostname: "other", clone: null, ostemplate: DEBIAN }, marker: { stack: STACK, address: "Container/other" } }, op()));
      expect(err.message).toMatch(/403 Permission check failed \(mount point type bind is only allowed for root@pam\); Proxmox allows this only to root@pam logged in with a password, never to an API token/);
      expect((await pveApi(w, "GET", "/nodes/pve1/lxc")).data).not.toContainEqual(expect.objectContaining({ name: "other" }));
    } finally {
      await s.close();
    }
  });

  it("replaces a container whose ostemplate changed only with updatePolicy: replace-allowed", async () => {
    const legacy = (tpl: string, policy = "") => ctYaml("swap-me", `  ostemplate: local:vztmpl/${tpl}\n  rootfs: { size: 1GiB }\n${policy}`);
    await w.write({ "swap.yaml": legacy("debian-12-standard_12.7-1_amd64.tar.zst") });
    expect((await reconcile(w, { apply: true })).result!.result).toBe("succeeded");
    const before = (await pveApi(w, "GET", "/nodes/pve1/lxc")).data as Array<{ vmid: number; name: string }>;
    const oldId = before.find((e) => e.name === "swap-me")!.vmid;
    await w.write({ "swap.yaml": legacy("ubuntu-24.04-standard_24.04-2_amd64.tar.zst") });
    const blocked = stepOf((await reconcile(w, { apply: false })).plan, "Container/swap-me");
    expect([blocked.action, blocked.blocked, blocked.forcedBy]).toEqual(["replace", true, ["ostemplate"]]);
    await w.write({ "swap.yaml": legacy("ubuntu-24.04-standard_24.04-2_amd64.tar.zst", "  updatePolicy: replace-allowed\n") });
    const p = await reconcile(w, { apply: true });
    expect(stepOf(p.plan, "Container/swap-me").action).toBe("replace");
    expect(p.result!.result, JSON.stringify(p.result)).toBe("succeeded");
    const after = (await pveApi(w, "GET", "/nodes/pve1/lxc")).data as Array<{ vmid: number; name: string }>;
    expect(after.filter((e) => e.name === "swap-me")).toHaveLength(1);
    const id = after.find((e) => e.name === "swap-me")!.vmid;
    expect((await pveApi(w, "GET", `/nodes/pve1/lxc/${id}/config`)).data).toMatchObject({ ostype: "ubuntu" });
    expect(id === oldId || (await pveApi(w, "GET", `/nodes/pve1/lxc/${oldId}/config`)).status === 500).toBe(true);
    expect((await reconcile(w, { apply: false })).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("imports a container made outside vmsync and records its create-time facts without replacing it", async () => {
    const upid = (await pveApi(w, "POST", "/nodes/pve2/lxc", { vmid: 700, ostemplate: "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz", hostname: "legacy", rootfs: "local-lvm:1", memory: 256, net0: "name=eth0,bridge=vmbr0,ip=dhcp" })).data;
    expect(await waitUpid(w, upid)).toBe("OK");
    await w.write({ "legacy.yaml": ctYaml("legacy", "  node: pve2\n  ostemplate: local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz\n  memory: 256MiB\n  rootfs: { size: 1GiB }\n  networks: [{}]\n  power: stopped\n") });
    const s = await connect(w, await w.load());
    try {
      const found = await s.observe({ kinds: ["Container"], externalIds: ["pve2/700"], names: [] });
      const o = found.find((x) => x.externalId === "pve2/700")!;
      expect(o.marker).toBeUndefined();
      const changes = proxmoxProvider.diff("Container", desiredSpec(await w.load(), "Container/legacy"), o.spec);
      expect(Object.fromEntries(changes.map((c) => [c.path, c.effect]))).toEqual({ ostemplate: "in-place", rootPassword: "in-place", sshKeys: "in-place" });
    } finally {
      await s.close();
    }
  });
});

describe("proxmox provider: containers under injected faults", () => {
  it("converges with 10% injected faults (596/599, lock timeouts), without duplicate containers", async () => {
    const w = await startWorld();
    try {
      await w.write({
        "pve.yaml": providerYaml(),
        "base.yaml": ctYaml("tpl", `  ostemplate: ${DEBIAN}\n  template: true\n  rootfs: { size: 1GiB }\n`),
        "web.yaml": ctYaml("web", `  replicas: 3\n  ostemplate: ${DEBIAN}\n  cores: 1\n  mountPoints: [{ path: /data, size: 1GiB }]\n  networks: [{}]\n`),
        "api.yaml": ctYaml("api", "  replicas: 2\n  clone: { template: tpl }\n  rootfs: { size: 2GiB }\n"),
      });
      w.sim.setKnobs({ faultRate: 0.1, seed: Number(process.env.FAULT_SEED ?? 11) });
      let failures = 0;
      let rounds = 0;
      for (; rounds < 8; rounds++) {
        const r = await reconcile(w, { apply: true, onRequest: (q) => void (q.status === undefined || q.status >= 500 ? failures++ : 0) }).catch((e: unknown) => ({ error: e }));
        if (process.env.DEBUG_FAULTS) console.log(rounds, "error" in r ? String(r.error) : [r.plan.summary, r.result?.result, JSON.stringify(r.result?.steps.filter((s) => s.error))]);
        if ("plan" in r && r.result?.result === "succeeded" && r.plan.summary.create + r.plan.summary.update === 0) break;
      }
      w.sim.setKnobs({ faultRate: 0 });
      expect(rounds).toBeLessThan(8);
      expect(failures).toBeGreaterThan(3);
      expect((await reconcile(w, { apply: false })).plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
      const names = ((await pveApi(w, "GET", "/nodes/pve1/lxc")).data as Array<{ name: string; lock?: string }>).filter((e) => !e.lock).map((e) => e.name).sort();
      expect(names).toEqual(["api-1", "api-2", "tpl", "web-1", "web-2", "web-3"]);
    } finally {
      await w.stop();
    }
  });
});
