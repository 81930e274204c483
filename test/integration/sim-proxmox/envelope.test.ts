import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, form, runTask, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: envelope, errors and request bodies", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it("wraps results in {data} with application/json;charset=UTF-8", async () => {
    const r = await h.api.get("/nodes");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json;charset=UTF-8");
    expect(r.data.data.map((n: { node: string }) => n.node)).toEqual(["pve1", "pve2"]);
    expect(r.data.data[0]).toMatchObject({ id: "node/pve1", type: "node", status: "online" });
  });

  it("reports parameter errors as 400 with a per-field errors map", async () => {
    const r = await h.api.post("/nodes/pve1/qemu", form({ vmid: 99, cores: "abc", bogus: 1, name: "bad_name", ostype: "dos" }));
    expect(r.status).toBe(400);
    expect(r.statusText).toBe("Parameter verification failed.");
    expect(r.data.data).toBeNull();
    expect(r.data.message).toBe("Parameter verification failed.\n");
    expect(r.data.errors).toEqual({
      vmid: "value must have a minimum value of 100",
      cores: "type check ('integer') failed - got 'abc'",
      bogus: "property is not defined in schema and the schema does not allow additional properties",
      name: "invalid format - value does not look like a valid DNS name\n",
      ostype: "value 'dos' does not have a value in the enumeration 'other, wxp, w2k, w2k3, w2k8, wvista, win7, win8, win10, win11, l24, l26, solaris'",
    });
    const missing = await h.api.post("/nodes/pve1/qemu", form({ cores: 1 }));
    expect(missing.data.errors).toEqual({ vmid: "property is missing and it is not optional" });
  });

  it("puts error text in the status line and message for plain dies (500)", async () => {
    const r = await h.api.get("/nodes/pve1/qemu/4242/config");
    expect(r.status).toBe(500);
    expect(r.statusText).toBe("Configuration file 'nodes/pve1/qemu-server/4242.conf' does not exist");
    expect(r.data).toEqual({ data: null, message: "Configuration file 'nodes/pve1/qemu-server/4242.conf' does not exist\n" });
  });

  it("answers unknown paths with 501 and rejects GET/DELETE bodies", async () => {
    const r = await h.api.get("/nope/nothing");
    expect(r.status).toBe(501);
    expect(r.statusText).toBe("Method 'GET /api2/json/nope/nothing' not implemented");
    const withBody = await h.api.request({ method: "DELETE", url: "/storage/local", data: "x=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(withBody.status).toBe(501);
    expect(withBody.statusText).toBe("Unexpected content for method 'DELETE'");
  });

  it("accepts only 1/0 booleans in form bodies but JSON true/false in JSON bodies", async () => {
    const bad = await h.api.post("/nodes/pve1/qemu", form({ vmid: 150, onboot: "true" }));
    expect(bad.status).toBe(400);
    expect(bad.data.errors).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
    const badJsonString = await h.api.post("/nodes/pve1/qemu", { vmid: 150, onboot: "true" });
    expect(badJsonString.data.errors).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
    const ok = await runTask(h.api.post("/nodes/pve1/qemu", { vmid: 150, onboot: true, protection: false, cores: 2, memory: 1024 }), h.api);
    expect(ok).toBe("OK");
    const conf = (await h.api.get("/nodes/pve1/qemu/150/config")).data.data;
    expect(conf).toMatchObject({ onboot: 1, protection: 0, cores: 2, memory: "1024" });
    expect(await createVm(h.api, 151, { onboot: 1 })).toBe("OK");
    expect((await h.api.get("/nodes/pve1/qemu/151/config")).data.data.onboot).toBe(1);
  });

  it("merges query parameters and rejects body values that contradict the URI", async () => {
    const r = await h.api.put("/nodes/pve1/qemu/150/config?cores=3", form({ vmid: 151 }));
    expect(r.status).toBe(400);
    expect(r.data.errors).toEqual({ vmid: "duplicate parameter (already defined in URI) with conflicting values!" });
    const ok = await h.api.put("/nodes/pve1/qemu/150/config?cores=3", form({ vmid: 150 }));
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ data: null });
    expect((await h.api.get("/nodes/pve1/qemu/150/config")).data.data.cores).toBe(3);
  });

  it("dies like pveproxy for unknown nodes and gzips large answers on request", async () => {
    const r = await h.api.get("/nodes/pve9/qemu");
    expect(r.status).toBe(500);
    expect(r.statusText).toContain("hostname lookup 'pve9' failed");
    const big = await h.api.get("/cluster/resources", { headers: { "Accept-Encoding": "gzip" }, decompress: true });
    expect(big.status).toBe(200);
    expect(Array.isArray(big.data.data)).toBe(true);
  });
});
