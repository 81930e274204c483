import tls from "node:tls";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRequest, observeAll, opCtx, startTestEnv, vmResource, type AzureTestEnv } from "./helpers.js";

describe("azure provider at scale: network sizing, TLS context, long-running operations", () => {
  let env: AzureTestEnv | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await env?.close();
    env = undefined;
  });

  it("creates the default subnet sized for the VMs the manifests put in it, not a /24 that fills at 251", async () => {
    env = await startTestEnv();
    const fleet = Array.from({ length: 600 }, (_, i) => vmResource(`vm-${i}`, { cloudInit: { user: "azureuser", sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAzureTestKeyAzureTestKeyAzureTestKeyAzureTe test@vmsync"] } }));
    await env.session.observe({ kinds: ["VirtualMachine"], externalIds: [], names: fleet.map((r) => r.name), desired: fleet });
    await env.session.create(createRequest(env, fleet[0]!), opCtx());
    const vnet = await env.sdk.network.virtualNetworks.get("rg-test", "vnet-test");
    expect(vnet.subnets?.map((s) => [s.name, s.addressPrefix])).toEqual([["default", "10.0.0.0/22"]]);
  });

  it("builds one TLS context for the session: new connections do not parse the CA bundle again", async () => {
    env = await startTestEnv();
    const contexts = vi.spyOn(tls, "createSecureContext");
    const connects = vi.spyOn(tls, "connect");
    await Promise.all([observeAll(env), observeAll(env), env.session.create(createRequest(env, vmResource("tls-1")), opCtx())]);
    expect(connects.mock.calls.length).toBeGreaterThan(1); // it did open new connections…
    expect(contexts).not.toHaveBeenCalled(); // …all with the session's context
  });

  it("polls a long-running operation when ARM's Retry-After says, not at a fixed interval", async () => {
    env = await startTestEnv({ taskDurationMs: 300, pollRetryAfterSeconds: 1 });
    const before = env.sim.requests()["GET operation status"] ?? 0;
    await env.session.create(createRequest(env, vmResource("lro-1")), opCtx());
    const polls = (env.sim.requests()["GET operation status"] ?? 0) - before;
    const lros = env.requests.filter((r) => r.method === "PUT").length; // NIC and VM (and the VNet)
    expect(lros).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(2 * lros); // at a 5 ms interval it would be ~60 per operation
  });
});
