import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { SimHandle, SimStartOptions } from "../handle.js";
import { SeededRandom } from "../knobs.js";
import { RequestTally } from "../request-tally.js";
import { loadOrCreateCertificate } from "../tls.js";
import type { SimContext } from "./context.js";
import { diskHandlers } from "./disks.js";
import { FaultInjector } from "./faults.js";
import { fileShareHandlers } from "./file-shares.js";
import { seededUuid } from "./ids.js";
import { networkInterfaceHandlers } from "./network-interfaces.js";
import { OperationManager } from "./operations.js";
import { createWorldWriter, loadWorldFile } from "./persistence.js";
import { publicIpHandlers } from "./public-ips.js";
import { Router } from "./router.js";
import { createArmServer } from "./server.js";
import { defaultAzureKnobs, type AzureSimKnobs, type FaultRule } from "./sim-knobs.js";
import { snapshotHandlers } from "./snapshots.js";
import { storageAccountHandlers } from "./storage-accounts.js";
import { usageHandlers } from "./usages.js";
import { subnetHandlers, virtualNetworkHandlers } from "./virtual-networks.js";
import { virtualMachineHandlers } from "./virtual-machines.js";
import { settleWorld } from "./world-settle.js";
import { azureGuestDirectory } from "./guest-directory.js";
import { World } from "./world.js";

export { ARM_SCOPE, simClientOptions, staticTokenCredential, type SimClientOptions, type SimRetryOptions } from "./client-options.js";
export { defaultAzureKnobs, type AzureSimKnobs, type FaultRule, type LroFailureRule, type LroFailureShape } from "./sim-knobs.js";
export { VM_SIZES, type VmSize } from "./vm-sizes.js";

/**
 * A running Azure Resource Manager simulator. `credentials` holds the subscription id every client
 * must use and the static bearer token it accepts (pass it through `staticTokenCredential`).
 * `setKnobs` changes knobs live (merged into the current ones); `injectFault` queues a deterministic
 * transient fault; `settle` finishes every running long-running operation now.
 */
export interface AzureSimHandle extends SimHandle {
  name: "azure";
  credentials: { subscriptionId: string; token: string };
  knobs: Readonly<AzureSimKnobs>;
  setKnobs(partial: Partial<AzureSimKnobs>): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  settle(): void;
}

/**
 * Starts the loopback HTTPS ARM simulator. The world (subscription id, token, resource groups and
 * resources) is loaded from `opts.dir/azure-world.json` when present, with anything left mid-operation
 * settled, and persisted there on every change (atomic, coalesced, mode 0600). The certificate lives
 * in `opts.dir/azure-sim.crt` (`caFile`). Listens on `opts.host` (default 127.0.0.1) and `opts.port`
 * (default 0 = any free port).
 */
export async function startAzureSim(opts: SimStartOptions & { knobs?: Partial<AzureSimKnobs> }): Promise<AzureSimHandle> {
  const knobs: AzureSimKnobs = { ...defaultAzureKnobs, lroFailures: [], vcpuQuota: {}, ...opts.knobs };
  const cert = await loadOrCreateCertificate(opts.dir, "azure-sim");
  const snap = await loadWorldFile(opts.dir);
  const world = snap ? World.fromSnapshot(snap) : new World(seededUuid(new SeededRandom(knobs.seed ^ 0x5eed)), `sim-${randomBytes(16).toString("hex")}`);
  if (snap) settleWorld(world);
  const writer = createWorldWriter(opts.dir, () => world.snapshot());
  world.onChange = () => writer.markDirty();
  if (!snap) writer.markDirty();
  const random = new SeededRandom(knobs.seed);
  const host = opts.host ?? "127.0.0.1";
  const sim: SimContext = { world, knobs, random, baseUrl: "", ops: undefined as unknown as OperationManager };
  sim.ops = new OperationManager(world, () => sim.knobs, () => seededUuid(random), () => sim.baseUrl);
  const setKnobs = (partial: Partial<AzureSimKnobs>): void => {
    Object.assign(sim.knobs, partial);
    if (partial.seed !== undefined) Object.assign(random, new SeededRandom(partial.seed));
  };
  const router = new Router();
  for (const h of [virtualMachineHandlers, diskHandlers, snapshotHandlers, storageAccountHandlers, fileShareHandlers, virtualNetworkHandlers, subnetHandlers, networkInterfaceHandlers, publicIpHandlers, usageHandlers]) router.register(h);
  const faults = new FaultInjector(random);
  const requests = new RequestTally();
  const server = createArmServer({ key: cert.key, cert: cert.cert, sim, router, faults, setKnobs, requests });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  sim.baseUrl = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    name: "azure",
    endpoint: sim.baseUrl,
    caFile: cert.caFile,
    credentials: { subscriptionId: world.subscriptionId, token: world.token },
    knobs: sim.knobs,
    setKnobs,
    requests: () => requests.snapshot(),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    settle: () => sim.ops.settleAll(),
    directory: azureGuestDirectory(world),
    close() {
      closing ??= (async () => {
        sim.ops.settleAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await writer.flush();
      })();
      return closing;
    },
  };
}
