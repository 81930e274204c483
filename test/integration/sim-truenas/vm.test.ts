import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyClient, RpcClient } from "./client.js";
import { sim } from "./setup.js";

type Sim = Awaited<ReturnType<typeof sim>>;

describe("25.10 VMs and devices over JSON-RPC", () => {
  let h: Sim;
  let c: RpcClient;
  beforeAll(async () => {
    h = await sim("25.10.1");
    c = await RpcClient.connect(h);
    await c.login(h);
    await c.ok("pool.dataset.create", [{ name: "tank/vms", type: "FILESYSTEM" }]);
    await c.ok("pool.dataset.create", [{ name: "tank/iso" }]);
  });
  afterAll(async () => {
    c.close();
    await h.dispose();
  });

  it("validates vm.create with pydantic messages, strict types and plugin rules", async () => {
    expect((await c.call("vm.create", [{ name: "ab" }])).error).toMatchObject({ code: -32602, message: "Invalid params", data: { error: 22, errname: "EINVAL", extra: [["vm_create.memory", "Field required", 22]] } });
    const e = (await c.call("vm.create", [{ name: "ab", memory: 10, foo: 1, devices: [] }])).error!;
    expect(e.data.extra).toEqual([
      ["vm_create.memory", "Input should be greater than or equal to 20", 22],
      ["vm_create.foo", "Extra inputs are not permitted", 22],
      ["vm_create.devices", "Extra inputs are not permitted", 22],
    ]);
    expect((await c.call("vm.create", [{ name: "ab", memory: "1024" }])).error!.data.extra).toEqual([["vm_create.memory", "Input should be a valid integer", 22]]);
    expect((await c.call("vm.create", [{ name: "web-1", memory: 1024 }])).error!.data.extra).toEqual([["vm_create.name", "Only alphanumeric characters are allowed.", 22]]);
    expect((await c.call("vm.start", ["1"])).error!.data.extra).toEqual([["id", "Input should be a valid integer", 22]]);
  });

  it("creates, queries (filters/get), updates and rejects a duplicate name with EEXIST", async () => {
    const vm = await c.ok("vm.create", [{ name: "web_1", memory: 2048, vcpus: 2, description: "vmsync:stack=a" }]);
    expect(vm).toMatchObject({ name: "web_1", memory: 2048, vcpus: 2, autostart: true, bootloader: "UEFI", bootloader_ovmf: "OVMF_CODE_4M.fd", enable_secure_boot: false, devices: [], status: { state: "STOPPED", pid: null, domain_state: "SHUTOFF" } });
    expect(vm.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    const dup = (await c.call("vm.create", [{ name: "web_1", memory: 1024 }])).error!;
    expect(dup.data.extra).toEqual([["vm_create.name", "This name already exists.", 17]]);
    expect(await c.ok("vm.query", [[["name", "=", "web_1"]], { get: true }])).toMatchObject({ id: vm.id });
    expect(await c.ok("vm.query", [[["name", "^", "web"]], { count: true }])).toBe(1);
    expect(await c.ok("vm.query", [[], { select: ["id", "name"] }])).toEqual([{ id: vm.id, name: "web_1" }]);
    const none = (await c.call("vm.query", [[["name", "=", "nope"]], { get: true }])).error!;
    expect(none).toMatchObject({ code: -32001, data: { error: 22, errname: "EINVAL", reason: "MatchNotFound()" } });
    const up = await c.ok("vm.update", [vm.id, { memory: 4096, name: "web_2" }]);
    expect(up).toMatchObject({ memory: 4096, name: "web_2" });
    expect((await c.call("vm.update", [vm.id, { bootloader_ovmf: "OVMF_CODE.fd" }])).error!.data.extra).toEqual([["vm_update.bootloader_ovmf", "Extra inputs are not permitted", 22]]);
  });

  it("reports InstanceNotFound with the EINVAL/[ENOENT] quirk", async () => {
    const e = (await c.call("vm.get_instance", [999])).error!;
    expect(e).toEqual({
      code: -32602,
      message: "Invalid params",
      data: expect.objectContaining({ error: 22, errname: "EINVAL", reason: "[ENOENT] None: VM 999 does not exist", extra: [[null, "VM 999 does not exist", 2]] }),
    });
  });

  it("creates devices in the attributes.dtype shape; rejects a top-level dtype", async () => {
    const vm = await c.ok("vm.create", [{ name: "dev1", memory: 1024 }]);
    const top = (await c.call("vm.device.create", [{ vm: vm.id, dtype: "DISK", attributes: { path: "/dev/zvol/tank/x" } }])).error!;
    expect(top.data.extra).toEqual([
      ["vm_device_create.attributes.dtype", "Field required", 22],
      ["vm_device_create.dtype", "Extra inputs are not permitted", 22],
    ]);
    const missing = (await c.call("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", path: "/dev/zvol/tank/vms/nothere" } }])).error!;
    expect(missing.data.extra).toEqual([["attributes.path", "Zvol referenced by path does not exist", 2]]);
    const disk = await c.ok("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", create_zvol: true, zvol_name: "tank/vms/dev1-0", zvol_volsize: 10 * 2 ** 30, type: "VIRTIO" } }]);
    expect(disk).toMatchObject({ vm: vm.id, order: 1001, attributes: { dtype: "DISK", path: "/dev/zvol/tank/vms/dev1-0", type: "VIRTIO", iotype: "THREADS", serial: null } });
    expect(disk).not.toHaveProperty("dtype");
    const exists = (await c.call("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", create_zvol: true, zvol_name: "tank/vms/dev1-0", zvol_volsize: 2 ** 30 } }])).error!;
    expect(exists.data.extra).toEqual([["attributes.zvol_name", "'tank/vms/dev1-0' already exists.", 17]]);
    const nic = await c.ok("vm.device.create", [{ vm: vm.id, attributes: { dtype: "NIC", type: "VIRTIO", nic_attach: "br0" } }]);
    expect(nic.attributes.mac).toMatch(/^00:a0:98(:[0-9a-f]{2}){3}$/);
    const nopw = (await c.call("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISPLAY", type: "VNC" } }])).error!;
    expect(nopw.data.extra).toEqual([["attributes.password", "Password is required for display devices", 22]]);
    await c.ok("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISPLAY", type: "SPICE", password: "secret" } }]);
    const cd = await c.ok("vm.device.create", [{ vm: vm.id, attributes: { dtype: "CDROM", path: "/mnt/tank/iso/debian.iso" } }]);
    expect(cd.order).toBe(1000);
    const got = await c.ok("vm.get_instance", [vm.id]);
    expect(got.devices.map((d: any) => d.attributes.dtype).sort()).toEqual(["CDROM", "DISK", "DISPLAY", "NIC"]);
    expect(got.display_available).toBe(true);
    expect(await c.ok("vm.device.query", [[["attributes.dtype", "=", "DISK"], ["vm", "=", vm.id]]])).toHaveLength(1);
    // update merges attributes on 25.x
    const upd = await c.ok("vm.device.update", [nic.id, { attributes: { type: "E1000" } }]);
    expect(upd.attributes).toMatchObject({ dtype: "NIC", type: "E1000", nic_attach: "br0", mac: nic.attributes.mac });
  });

  it("refuses device delete while running; deletes the VM with its zvols", async () => {
    const vm = await c.ok("vm.query", [[["name", "=", "dev1"]], { get: true }]);
    const disk = vm.devices.find((d: any) => d.attributes.dtype === "DISK");
    expect(await c.ok("vm.start", [vm.id])).toBeNull();
    expect((await c.call("vm.start", [vm.id])).error!.data).toMatchObject({ error: 14, errname: "EFAULT", reason: "[EFAULT] 'dev1' is already running" });
    expect((await c.call("vm.device.delete", [disk.id])).error!.data.reason).toBe("[EFAULT] Please stop/resume associated VM before deleting VM device.");
    expect(await c.ok("vm.status", [vm.id])).toMatchObject({ state: "RUNNING", domain_state: "RUNNING" });
    expect(await c.ok("vm.delete", [vm.id, { zvols: true }])).toBe(true);
    expect(await c.ok("pool.dataset.query", [[["id", "=", "tank/vms/dev1-0"]]])).toEqual([]);
    expect(await c.ok("vm.device.query", [[["vm", "=", vm.id]]])).toEqual([]);
  });

  it("refuses vm.start with ENOMEM when host memory is short unless overcommit", async () => {
    const small = await sim("25.10.1", { hostMemoryMiB: 1000 });
    const s = await RpcClient.connect(small);
    await s.login(small);
    const vm = await s.ok("vm.create", [{ name: "big", memory: 2048 }]);
    expect((await s.call("vm.start", [vm.id])).error!.data).toMatchObject({ error: 12, errname: "ENOMEM", reason: "[ENOMEM] Cannot guarantee memory for guest big" });
    expect(await s.ok("vm.start", [vm.id, { overcommit: true }])).toBeNull();
    s.close();
    await small.dispose();
  });
});

describe("24.10 VMs and devices over /websocket", () => {
  let h: Sim;
  let c: LegacyClient;
  beforeAll(async () => {
    h = await sim("24.10.2");
    c = await LegacyClient.connect(h);
    await c.login(h);
    await c.ok("pool.dataset.create", [{ name: "tank/vms" }]);
    await c.ok("pool.dataset.create", [{ name: "tank/vms/a0", type: "VOLUME", volsize: 2 ** 30 }]);
  });
  afterAll(async () => {
    c.close();
    await h.dispose();
  });

  it("uses the legacy schema messages and EAGAIN for validation collections", async () => {
    const e = (await c.call("vm.create", [{ name: "ab", memory: 10, foo: 1 }])).error!;
    expect(e.error).toBe(11);
    expect(e.errname).toBe("EAGAIN");
    expect(e.type).toBe("VALIDATION");
    expect(e.extra).toEqual([
      ["vm_create.foo", "Field was not expected", 22],
      ["vm_create.memory", "Should be greater or equal than 20", 22],
    ]);
    expect(e.reason).toBe("[EINVAL] vm_create.foo: Field was not expected\n[EINVAL] vm_create.memory: Should be greater or equal than 20\n");
    expect((await c.call("vm.create", [{ name: "ab" }])).error!.extra).toEqual([["vm_create.memory", "attribute required", 22]]);
    expect((await c.call("vm.create", [{ name: "a b", memory: 512 }])).error!.extra).toEqual([["vm_create.name", "Only alphanumeric characters are allowed.", 22]]);
    const vm = await c.ok("vm.create", [{ name: "a0", memory: 512 }]);
    expect(vm.bootloader_ovmf).toBe("OVMF_CODE.fd");
    expect(vm).not.toHaveProperty("enable_secure_boot");
    const nf = (await c.call("vm.get_instance", [999])).error!;
    expect(nf).toMatchObject({ error: 2, errname: "ENOENT", type: "VALIDATION", reason: "[ENOENT] None: VM 999 does not exist", extra: [[null, "VM 999 does not exist", 2]] });
  });

  it("creates devices with a top-level dtype; update replaces attributes; NIC mac stays null", async () => {
    const vm = await c.ok("vm.query", [[["name", "=", "a0"]], { get: true }]);
    const moved = (await c.call("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", path: "/dev/zvol/tank/vms/a0" } }])).error!;
    expect(moved.extra).toEqual([["vm_device_create.dtype", "attribute required", 22]]);
    const disk = await c.ok("vm.device.create", [{ vm: vm.id, dtype: "DISK", attributes: { path: "/dev/zvol/tank/vms/a0", type: "VIRTIO" } }]);
    expect(disk).toEqual({ id: disk.id, dtype: "DISK", vm: vm.id, order: 1001, attributes: { path: "/dev/zvol/tank/vms/a0", type: "VIRTIO", create_zvol: false, zvol_name: null, zvol_volsize: null, logical_sectorsize: null, physical_sectorsize: null, iotype: "THREADS" } });
    const nic = await c.ok("vm.device.create", [{ vm: vm.id, dtype: "NIC", attributes: { type: "VIRTIO", nic_attach: "br0" } }]);
    expect(nic.attributes.mac).toBeNull();
    const replaced = await c.ok("vm.device.update", [nic.id, { attributes: { mac: "00:a0:98:11:22:33" } }]);
    expect(replaced.attributes).toEqual({ trust_guest_rx_filters: false, type: "E1000", nic_attach: null, mac: "00:a0:98:11:22:33" });
    const vnc = (await c.call("vm.device.create", [{ vm: vm.id, dtype: "DISPLAY", attributes: { type: "VNC", password: "x" } }])).error!;
    expect(vnc.extra).toEqual([["attributes.type", "Invalid choice: VNC", 22]]);
    const q = await c.ok("vm.device.query", [[["dtype", "=", "DISK"]]]);
    expect(q).toHaveLength(1);
    expect((await c.ok("vm.get_instance", [vm.id])).devices[0].dtype).toBeDefined();
  });
});

describe("25.04.0 has no vm.*", () => {
  it("answers -32601 for vm.query", async () => {
    const h = await sim("25.04.0");
    const c = await RpcClient.connect(h);
    await c.login(h);
    expect((await c.call("vm.query")).error).toEqual({ code: -32601, message: "Method does not exist" });
    c.close();
    await h.dispose();
  });
});
