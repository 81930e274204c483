import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyClient, RpcClient } from "./client.js";
import { sim } from "./setup.js";

type Sim = Awaited<ReturnType<typeof sim>>;

describe("jobs", () => {
  let h: Sim;
  beforeAll(async () => {
    h = await sim("25.10.1");
  });
  afterAll(() => h.dispose());

  it("vm.stop returns a job id; core.subscribe delivers collection_update events; core.get_jobs filters by id", async () => {
    const c = await RpcClient.connect(h);
    await c.login(h);
    const sub = await c.ok("core.subscribe", ["core.get_jobs"]);
    expect(typeof sub).toBe("string");
    const vm = await c.ok("vm.create", [{ name: "j1", memory: 512 }]);
    await c.ok("vm.start", [vm.id]);
    const jobId = await c.ok("vm.stop", [vm.id, { force_after_timeout: true }]);
    expect(Number.isInteger(jobId)).toBe(true);
    const added = await c.waitFrame((m) => m.method === "collection_update" && m.params.msg === "added" && m.params.id === jobId);
    expect(added.params).toMatchObject({ collection: "core.get_jobs", fields: { id: jobId, method: "vm.stop", state: "WAITING", arguments: [vm.id, { force_after_timeout: true }] } });
    const done = await c.waitFrame((m) => m.method === "collection_update" && m.params.id === jobId && m.params.fields.state === "SUCCESS");
    expect(done.params.msg).toBe("changed");
    expect(done.params.fields).toMatchObject({ result: null, error: null, progress: { percent: 100 }, time_finished: { $date: expect.any(Number) } });
    expect(c.frames.some((m) => m.params?.id === jobId && m.params.fields.progress.percent === 50)).toBe(true);
    const [job] = await c.ok("core.get_jobs", [[["id", "=", jobId]]]);
    expect(job).toMatchObject({ id: jobId, state: "SUCCESS", message_ids: [expect.any(String)] });
    expect((await c.ok("vm.status", [vm.id])).state).toBe("STOPPED");
    c.close();
  });

  it("a failing job ends FAILED with error/exc_info; core.job_wait propagates it", async () => {
    const c = await RpcClient.connect(h);
    await c.login(h);
    const vm = await c.ok("vm.query", [[["name", "=", "j1"]], { get: true }]);
    const jobId = await c.ok("vm.stop", [vm.id]);
    const wait = await c.call("core.job_wait", [jobId]);
    // legacy jobs: job_wait itself returns a job id
    const waitJob = wait.result as number;
    for (;;) {
      const [j] = await c.ok("core.get_jobs", [[["id", "=", waitJob]]]);
      if (j.state !== "WAITING" && j.state !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const [job] = await c.ok("core.get_jobs", [[["id", "=", jobId]]]);
    expect(job).toMatchObject({ state: "FAILED", error: `[EFAULT] ${vm.id}_j1 domain is not active`, exc_info: { type: "CallError", errno: 14 } });
    const [wj] = await c.ok("core.get_jobs", [[["id", "=", waitJob]]]);
    expect(wj.state).toBe("FAILED");
    c.close();
  });

  it("new-style jobs (25.10, legacy_jobs:false) answer when the job finishes", async () => {
    const c = await RpcClient.connect(h);
    await c.login(h);
    await c.ok("core.set_options", [{ legacy_jobs: false }]);
    const vm = await c.ok("vm.query", [[["name", "=", "j1"]], { get: true }]);
    await c.ok("vm.start", [vm.id]);
    expect(await c.call("vm.stop", [vm.id])).toEqual({ result: null });
    const failed = (await c.call("vm.stop", [vm.id])).error!;
    expect(failed).toMatchObject({ code: -32001, data: { error: 14, reason: `[EFAULT] ${vm.id}_j1 domain is not active` } });
    expect(await c.ok("service.control", ["START", "nfs"])).toBe(true);
    c.close();
  });

  it("legacy transport: sub to core.get_jobs gets added/changed; vm.restart job", async () => {
    const c = await LegacyClient.connect(h);
    await c.login(h);
    c.send(JSON.stringify({ msg: "sub", id: "s1", name: "core.get_jobs" }));
    expect(await c.waitFrame((m) => m.msg === "ready")).toEqual({ msg: "ready", subs: ["s1"] });
    const vm = await c.ok("vm.query", [[["name", "=", "j1"]], { get: true }]);
    await c.ok("vm.start", [vm.id]);
    const jobId = await c.ok("vm.restart", [vm.id]);
    expect(await c.waitFrame((m) => m.msg === "added" && m.id === jobId)).toMatchObject({ collection: "core.get_jobs", fields: { method: "vm.restart" } });
    await c.waitFrame((m) => m.msg === "changed" && m.id === jobId && m.fields.state === "SUCCESS");
    expect((await c.ok("vm.status", [vm.id])).state).toBe("RUNNING");
    c.send(JSON.stringify({ msg: "unsub", id: "s1" }));
    await c.ok("core.ping");
    const n = c.frames.length;
    const j2 = await c.ok("vm.stop", [vm.id]);
    await new Promise((r) => setTimeout(r, 40));
    expect(c.frames.slice(n).some((m) => m.id === j2 && m.msg === "changed")).toBe(false);
    c.close();
  });
});
