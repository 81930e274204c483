import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTruenasSim } from "../../../src/sim/truenas/index.js";
import { RpcClient } from "./client.js";
import { sim, tempDir } from "./setup.js";

describe("persistence", () => {
  it("persists the world (0600, atomic) and reloads it with the same credentials", async () => {
    const t = tempDir();
    try {
      const a = await startTruenasSim({ dir: t.dir, knobs: { taskDurationMs: 5 } });
      const c = await RpcClient.connect(a);
      await c.login(a);
      const vm = await c.ok("vm.create", [{ name: "keep", memory: 1024 }]);
      await c.ok("pool.dataset.create", [{ name: "tank/keep", volsize: 2 ** 30 }]);
      await c.ok("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", path: "/dev/zvol/tank/keep" } }]);
      await c.ok("vm.start", [vm.id]);
      c.close();
      await a.close();
      const file = join(t.dir, "truenas-world.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, "utf8")).format).toBe(1);

      const b = await startTruenasSim({ dir: t.dir, version: "24.10.2" });
      expect(b.credentials).toEqual(a.credentials);
      const { LegacyClient } = await import("./client.js");
      const l = await LegacyClient.connect(b);
      await l.login(b);
      const got = await l.ok("vm.query", [[["name", "=", "keep"]], { get: true }]);
      expect(got).toMatchObject({ id: vm.id, status: { state: "RUNNING" }, devices: [{ dtype: "DISK", attributes: { path: "/dev/zvol/tank/keep" } }] });
      const v2 = await l.ok("vm.create", [{ name: "next", memory: 1024 }]);
      expect(v2.id).toBe(vm.id + 1);
      l.close();
      await b.close();
      await b.close();
    } finally {
      t.cleanup();
    }
  });

  // speed is measured in the benchmarks (npm run bench), never asserted here
  it("holds ~1000 VMs with their devices", async () => {
    const h = await sim("25.10.1");
    try {
      for (let i = 0; i < 1000; i++) {
        await h.admin("vm.create", [{ name: `vm_${i}`, memory: 512 }]);
        await h.admin("vm.device.create", [{ vm: i + 1, attributes: { dtype: "NIC", nic_attach: "br0" } }]);
      }
      const c = await RpcClient.connect(h);
      await c.login(h);
      const all = await c.ok("vm.query");
      expect(all).toHaveLength(1000);
      expect(all[999].devices).toHaveLength(1);
      await h.flush();
      c.close();
    } finally {
      await h.dispose();
    }
  });
});

describe("fault injection and drift", () => {
  async function pattern(seed: number): Promise<string[]> {
    const h = await sim("25.10.1", { knobs: { taskDurationMs: 5, faultRate: 0.4, seed } });
    try {
      const c = await RpcClient.connect(h);
      await c.login(h);
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await c.call("vm.query");
        out.push(r.error ? String(r.error.code === -32000 ? -32000 : r.error.data.error) : "ok");
      }
      c.close();
      return out;
    } finally {
      await h.dispose();
    }
  }

  it("injects transient errors (EBUSY / too many calls) reproducibly from the seed", async () => {
    const a = await pattern(42);
    const b = await pattern(42);
    const d = await pattern(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(d);
    expect(a.filter((x) => x !== "ok").length).toBeGreaterThan(3);
    expect(new Set(a)).toEqual(new Set(["ok", "16", "-32000"]));
  });

  it("admin() changes things behind a client's back; knobs are live", async () => {
    const h = await sim("25.10.1");
    try {
      const c = await RpcClient.connect(h);
      await c.login(h);
      const vm = await c.ok("vm.create", [{ name: "drift", memory: 1024 }]);
      await h.admin("vm.update", [vm.id, { memory: 2048 }]);
      await h.admin("vm.start", [vm.id]);
      expect(await h.admin("vm.stop", [vm.id])).toBeNull();
      expect((await c.ok("vm.get_instance", [vm.id])).memory).toBe(2048);
      h.setKnobs({ latencyMs: 60 });
      const t0 = Date.now();
      await c.ok("vm.get_instance", [vm.id]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
      expect(h.knobs().latencyMs).toBe(60);
      c.close();
    } finally {
      await h.dispose();
    }
  });
});
