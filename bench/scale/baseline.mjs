// The per-resource-refresh baseline (run as a child process): what a Terraform-style refresh does —
// read every managed object in state one by one, at most 10 reads in flight (terraform
// -parallelism=10). One GET per object (Proxmox config, TrueNAS vm.get_instance, Azure VM GET):
// a generous baseline, since real providers read several endpoints per object.
// Usage: node baseline.mjs MANIFEST_DIR DIST_DIR   (sim credentials in VMSYNC_SIM_* variables)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ComputeManagementClient } from "@azure/arm-compute";

const [root, dist] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const env = process.env;
const started = performance.now();

const [{ openFileStateStore }, { ProxmoxApi }, { TokenAuth }, { TruenasClient }, { mapLimit }] = await Promise.all([
  load("state/file-store.js"), load("providers/proxmox/api-client.js"), load("providers/proxmox/auth.js"), load("providers/truenas/client.js"), load("providers/concurrency.js"),
]);
const store = await openFileStateStore(root);
const state = await store.read();
await store.close();
const records = Object.values(state.resources);

const pve = new ProxmoxApi({ endpoint: env.VMSYNC_SIM_PROXMOX_ENDPOINT, ca: await readFile(env.VMSYNC_SIM_PROXMOX_CA, "utf8"), rateLimit: 1_000_000, providerName: "pve" });
pve.setAuth(new TokenAuth(env.VMSYNC_SIM_PROXMOX_TOKEN_ID, env.VMSYNC_SIM_PROXMOX_TOKEN_SECRET));
const nas = await TruenasClient.connect({
  name: "nas", base: env.VMSYNC_SIM_TRUENAS_ENDPOINT, transport: "auto", tls: { ca: [await readFile(env.VMSYNC_SIM_TRUENAS_CA, "utf8")] },
  credentials: { apiKey: env.VMSYNC_SIM_TRUENAS_API_KEY }, rateLimit: 1_000_000,
});
const token = { getToken: async () => ({ token: env.VMSYNC_SIM_AZURE_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
const compute = new ComputeManagementClient(token, env.VMSYNC_SIM_AZURE_SUBSCRIPTION_ID, {
  endpoint: env.VMSYNC_SIM_AZURE_ENDPOINT, credentials: { scopes: ["https://management.azure.com/.default"] },
  tlsOptions: { ca: [await readFile(env.VMSYNC_SIM_AZURE_CA, "utf8")] }, retryOptions: { maxRetries: 0 },
});

async function read(r) {
  if (r.provider === "pve") {
    const [node, vmid] = r.externalId.split("/");
    return pve.get(`/nodes/${node}/qemu/${vmid}/config`);
  }
  if (r.provider === "nas") return nas.call("vm.get_instance", [Number(r.externalId)], { idempotent: true });
  const parts = r.externalId.split("/");
  return compute.virtualMachines.get(parts[4], parts[8]);
}

await mapLimit(records, 10, read);
pve.close();
await nas.close();
process.stdout.write(JSON.stringify({ reads: records.length, ms: Math.round(performance.now() - started) }) + "\n");
