import { afterEach, describe, expect, it } from "vitest";
import { startTestEnv, vmResource, shareResource, type AzureTestEnv } from "./helpers.js";

const KINDS = ["VirtualMachine" as const, "NfsShare" as const];
const storageCalls = (env: AzureTestEnv) => env.requests.filter((r) => /Microsoft\.Storage/i.test(r.path)).length;

describe("azure observe reads NFS shares only when something asks for them", () => {
  let env: AzureTestEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it("skips storage accounts when no share is desired, in state or left by an interrupted create", async () => {
    env = await startTestEnv();
    await env.sdk.resources.resourceGroups.createOrUpdate("rg-test", { location: "eastus" });
    await env.session.observe({ kinds: KINDS, externalIds: [], names: ["web"], desired: [vmResource("web")] });
    expect(storageCalls(env)).toBe(0);
    await env.session.observe({ kinds: KINDS, externalIds: [], names: ["web"], desired: [vmResource("web")], pendingKinds: ["NfsShare"] });
    expect(storageCalls(env)).toBeGreaterThan(0);
  });

  it("reads them when a share is desired or recorded in state", async () => {
    env = await startTestEnv();
    await env.sdk.resources.resourceGroups.createOrUpdate("rg-test", { location: "eastus" });
    await env.session.observe({ kinds: KINDS, externalIds: [], names: ["media"], desired: [shareResource("media")] });
    const desired = storageCalls(env);
    expect(desired).toBeGreaterThan(0);
    const id = `/subscriptions/${env.sim.credentials.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/acct/fileServices/default/shares/media`;
    await env.session.observe({ kinds: KINDS, externalIds: [id], names: [], desired: [] });
    expect(storageCalls(env)).toBeGreaterThan(desired);
  });
});
