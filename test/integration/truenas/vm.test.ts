import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedResource, ProviderSession } from "../../../src/providers/contract.js";
import { truenasProvider as P } from "../../../src/providers/truenas/index.js";
import { connect, op, resource, startSim, CASES, type Sim } from "./helpers.js";

const scope = { kinds: ["VirtualMachine" as const], externalIds: [], names: [] };
const marker = (address: string) => ({ stack: "test", address });

describe.each(CASES)("TrueNAS %s (transport %s): VM lifecycle through the provider", (version, transport) => {
  let h: Sim;
  let s: ProviderSession;
  let config: Awaited<ReturnType<typeof connect>>["config"];
  beforeAll(async () => {
    h = await startSim(version);
    ({ session: s, config } = await connect(h, { transport }));
  });
  afterAll(async () => {
    await s.close();
    await h.dispose();
  });

  const web = resource("VirtualMachine", "web-1", {
    provider: "nas", cpu: { sockets: 2, cores: 2 }, memory: "2GiB", power: "running",
    disks: [{ size: "10GiB", bus: "virtio" }, { name: "data", size: "1GiB", bus: "sata" }],
    networks: [{ bridge: "br0", model: "virtio" }], display: { type: "spice", password: { env: "DISPLAY_PW" } }, description: "web server",
  });
  let created: ObservedResource;

  it("creates a VM with zvols, NIC (pinned MAC) and display, started, and observes it in the canonical shape", async () => {
    const spec = P.canonicalize(web, config);
    created = await s.create({ address: web.address, kind: "VirtualMachine", name: "web_1", spec, marker: marker(web.address) }, op());
    expect(created.marker).toEqual(marker(web.address));
    expect(P.diff("VirtualMachine", spec, created.spec)).toEqual([]);
    expect(created.spec).toMatchObject({ name: "web_1", dataset: "tank/vmsync/web_1", vcpus: 2, cores: 2, memory: 2048, power: "running", disks: [{ name: "disk0", size: 10240, bus: "VIRTIO" }, { name: "data", size: 1024, bus: "AHCI" }], display: { type: "SPICE", password: "env:DISPLAY_PW" } });
    expect((created.spec.nics as Array<{ mac?: string }>)[0]!.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const vm = (await h.admin("vm.query", [[["name", "=", "web_1"]]]) as Array<Record<string, any>>)[0]!;
    expect(vm.description).toBe("web server\nvmsync:stack=test address=VirtualMachine/web-1 display-password=env:DISPLAY_PW");
    const zvols = (await h.admin("pool.dataset.query", [[["type", "=", "VOLUME"]]]) as Array<{ name: string }>).map((d) => d.name).sort();
    expect(zvols).toEqual(["tank/vmsync/web_1/data", "tank/vmsync/web_1/disk0"]);
    const dtypes = vm.devices.map((d: any) => (version.startsWith("24") ? d.dtype : d.attributes.dtype)).sort();
    expect(dtypes).toEqual(["DISK", "DISK", "DISPLAY", "NIC"]);
  });

  it("observes in bulk with a handful of calls and reports no change; create again adopts instead of duplicating", async () => {
    const { session, requests } = await connect(h, { transport });
    const observed = await session.observe(scope);
    expect(requests.filter((m) => !m.startsWith("auth.") && m !== "system.version")).toHaveLength(2);
    const o = observed.find((x) => x.name === "web_1")!;
    expect(P.diff("VirtualMachine", P.canonicalize(web, config), o.spec)).toEqual([]);
    const again = await session.create({ address: web.address, kind: "VirtualMachine", name: "web_1", spec: P.canonicalize(web, config), marker: marker(web.address) }, op());
    expect(again.externalId).toBe(created.externalId);
    expect(await h.admin("vm.query", [[], { count: true }])).toBe(1);
    await session.close();
  });

  it("classifies changes: memory restart, disk growth in place, shrink unsupported, added NIC restart, name replace", async () => {
    const changed = resource("VirtualMachine", "web-1", { ...web.spec, memory: "4GiB", disks: [{ size: "20GiB", bus: "virtio" }, { name: "data", size: "512MiB", bus: "sata" }], networks: [{ bridge: "br0" }, { bridge: "br1", model: "e1000" }] });
    const d = P.diff("VirtualMachine", P.canonicalize(changed, config), created.spec);
    const byPath = Object.fromEntries(d.map((c) => [c.path, c.effect]));
    expect(byPath).toEqual({ memory: "restart", "disks[0].size": "in-place", "disks[1].size": "unsupported", nics: "restart" });
    expect(P.diff("VirtualMachine", { ...created.spec, name: "other" }, created.spec)[0]).toMatchObject({ path: "name", effect: "replace" });
    expect(P.sensitivePaths("VirtualMachine")).toEqual(["display.password"]);
  });

  it("updates in place: memory (restarting the running VM), disk growth, a new NIC and disk; the server MAC never shows as a change", async () => {
    const changed = resource("VirtualMachine", "web-1", { ...web.spec, memory: "3GiB", disks: [{ size: "12GiB", bus: "virtio" }, { name: "data", size: "1GiB", bus: "sata" }, { name: "logs", size: "1GiB", bus: "virtio" }], networks: [{ bridge: "br0", model: "virtio" }, { bridge: "br1", model: "e1000" }] });
    const spec = P.canonicalize(changed, config);
    const changes = P.diff("VirtualMachine", spec, created.spec);
    const jobsBefore = ((await h.admin("core.get_jobs", [[["method", "=", "vm.stop"]]])) as unknown[]).length;
    const out = await s.update({ address: web.address, kind: "VirtualMachine", externalId: created.externalId, spec, changes, marker: marker(web.address) }, op());
    expect(((await h.admin("core.get_jobs", [[["method", "=", "vm.stop"], ["state", "=", "SUCCESS"]]])) as unknown[]).length).toBe(jobsBefore + 1);
    expect(P.diff("VirtualMachine", spec, out.spec)).toEqual([]);
    expect(out.spec).toMatchObject({ memory: 3072, power: "running", disks: [{ size: 12288 }, { size: 1024 }, { name: "logs", size: 1024 }] });
    expect((out.spec.nics as Array<{ mac?: string }>)[0]!.mac).toBe((created.spec.nics as Array<{ mac?: string }>)[0]!.mac);
    created = out;
  });

  it("classifies a disk removal as unsupported (the planner blocks it); the session can still remove one when asked, stopping the VM first", async () => {
    const changed = resource("VirtualMachine", "web-1", { ...web.spec, memory: "3GiB", power: "stopped", disks: [{ size: "12GiB", bus: "virtio" }, { name: "data", size: "1GiB", bus: "sata" }], networks: [{ bridge: "br0", model: "virtio" }, { bridge: "br1", model: "e1000" }] });
    const spec = P.canonicalize(changed, config);
    const changes = P.diff("VirtualMachine", spec, created.spec);
    expect(changes.map((c) => c.path).sort()).toEqual(["disks", "power"]);
    expect(changes.find((c) => c.path === "disks")).toMatchObject({ effect: "unsupported" });
    const out = await s.update({ address: web.address, kind: "VirtualMachine", externalId: created.externalId, spec, changes, marker: marker(web.address) }, op());
    expect(out.spec).toMatchObject({ power: "stopped", disks: [{ name: "disk0" }, { name: "data" }] });
    expect(await h.admin("pool.dataset.query", [[["id", "=", "tank/vmsync/web_1/logs"]], { count: true }])).toBe(0);
    created = out;
  });

  it("reports a display password changed behind vmsync's back without revealing it", async () => {
    const vm = (await h.admin("vm.query", [[["name", "=", "web_1"]]]) as Array<Record<string, any>>)[0]!;
    const disp = vm.devices.find((d: any) => (d.dtype ?? d.attributes.dtype) === "DISPLAY");
    const attrs = { ...disp.attributes, password: "hacked" };
    await h.admin("vm.device.update", [disp.id, version.startsWith("24") ? { attributes: attrs } : { attributes: attrs }]);
    const o = (await s.observe(scope)).find((x) => x.name === "web_1")!;
    const [change] = P.diff("VirtualMachine", P.canonicalize(resource("VirtualMachine", "web-1", { ...web.spec, power: "stopped" }), config), o.spec).filter((c) => c.path.startsWith("display"));
    expect(change).toMatchObject({ path: "display.password", after: "env:DISPLAY_PW", effect: "restart" });
    expect(JSON.stringify(change)).not.toContain("hacked");
    expect(JSON.stringify(change)).not.toContain("s3cret");
  });

  it("refuses to take over a same-named VM it does not own, and returns unowned VMs from observe", async () => {
    await h.admin("vm.create", [{ name: "legacy_box", memory: 512 }]);
    const o = (await s.observe(scope)).find((x) => x.name === "legacy_box")!;
    expect(o.marker).toBeUndefined();
    const r = resource("VirtualMachine", "legacy-box", { provider: "nas", memory: "512MiB", disks: [{ size: "1GiB" }] });
    await expect(s.create({ address: r.address, kind: "VirtualMachine", name: "legacy_box", spec: P.canonicalize(r, config), marker: marker(r.address) }, op())).rejects.toMatchObject({
      retryable: false, message: expect.stringMatching(/^cannot create truenas vm legacy_box: a VM named legacy_box already exists/),
    });
  });

  it("deletes the VM with its zvols and dataset; deleting again succeeds", async () => {
    const req = { address: web.address, kind: "VirtualMachine" as const, externalId: created.externalId, spec: created.spec };
    await s.delete(req, op());
    expect(await h.admin("vm.query", [[["name", "=", "web_1"]], { count: true }])).toBe(0);
    expect(await h.admin("pool.dataset.query", [[["id", "^", "tank/vmsync/web_1"]], { count: true }])).toBe(0);
    await s.delete(req, op());
  });
});
