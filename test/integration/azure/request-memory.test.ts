/**
 * A finished ARM request leaves nothing behind. The request policy once gave each request
 * `AbortSignal.any([outer, AbortSignal.timeout(60 s)])`: Node keeps such signals alive until they
 * fire, and the SDK's HTTP client removes its abort listener only after the policy has put the
 * caller's signal back — so every finished request, with its response text, stayed in memory for a
 * minute (14 MB at the end of a 10,000-resource plan, found in a heap snapshot). Shown with the
 * compute client (the modular SDK generation), where the listener is removed late.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildClients } from "../../../src/providers/azure/connection.js";
import { startTestEnv, STACK, type AzureTestEnv } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let env: AzureTestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => env.close());

test("the signal a request was sent with is collectable once it has finished (no timer or registry holds it)", async () => {
  const clients = await buildClients(env.config, { stack: STACK, env: env.env });
  const sent: Array<WeakRef<object>> = [];
  // placed after vmsync's request policy: sees the signal the HTTP client listens to
  const spy: PipelinePolicy = { name: "spy", sendRequest: (req, next) => (req.abortSignal && sent.push(new WeakRef(req.abortSignal)), next(req)) };
  clients.compute.pipeline.addPolicy(spy, { afterPolicies: ["vmsyncRequests"] });
  const outer = new AbortController();
  for (let i = 0; i < 5; i++) {
    for await (const _ of clients.compute.virtualMachines.listAll({ statusOnly: "true", abortSignal: outer.signal })) void _;
  }
  clients.agent.destroy();
  await new Promise((r) => setTimeout(r, 50)); // the HTTP client's clean-up after the body has been read
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  expect(sent).toHaveLength(5);
  expect(sent.filter((w) => w.deref() !== undefined)).toHaveLength(0);
});
