/**
 * Azure session: runtime status from the bulk observe (location, power from the one statusOnly
 * list) and `restart` (instance view, then the `restart` LRO), refused for a deallocated VM —
 * through the real SDK against the simulator.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRequest, observeAll, opCtx, startTestEnv, vmResource, type AzureTestEnv } from "./helpers.js";

let env: AzureTestEnv;
beforeAll(async () => {
  env = await startTestEnv();
  await env.session.create(createRequest(env, vmResource("pw-run")), opCtx());
  await env.session.create(createRequest(env, vmResource("pw-off", { power: "deallocated" })), opCtx());
});
afterAll(async () => env.close());

test("observe reports location and power as status", async () => {
  const seen = await observeAll(env);
  expect(seen.find((o) => o.name === "pw-run")!.status).toEqual({ placement: "eastus", power: "running", addresses: [expect.stringMatching(/^10\.0\.\d+\.\d+$/)] });
  expect(seen.find((o) => o.name === "pw-off")!.status).toMatchObject({ placement: "eastus", power: "deallocated" });
});

test("restart POSTs restart for a running VM and refuses a deallocated one", async () => {
  const seen = await observeAll(env);
  const run = seen.find((o) => o.name === "pw-run")!;
  env.requests.length = 0;
  await env.session.power!.restart({ kind: "VirtualMachine", externalId: run.externalId }, opCtx());
  expect(env.requests.filter((r) => r.method === "POST" && /\/virtualMachines\/pw-run\/restart$/.test(r.path))).toHaveLength(1);
  expect((await observeAll(env)).find((o) => o.name === "pw-run")!.status?.power).toBe("running");
  const off = seen.find((o) => o.name === "pw-off")!;
  const refused = await env.session.power!.restart({ kind: "VirtualMachine", externalId: off.externalId }, opCtx()).catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: "NOT_RUNNING", retryable: false });
  expect((refused as Error).message).toBe("restart VM pw-off: it is deallocated; restart never starts a stopped VM");
  expect(env.requests.filter((r) => /\/pw-off\/restart$/.test(r.path))).toHaveLength(0);
});
