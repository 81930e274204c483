import { KeyedMutex } from "../concurrency.js";
import type { DesiredProvider } from "../../manifest/model.js";
import type { AzureProviderSpec } from "../../manifest/schema/index.js";
import { ProviderError, type ConnectOptions, type ProviderSession } from "../contract.js";
import { readAzureCapacity } from "./capacity.js";
import { buildClients } from "./connection.js";
import type { AzureContext } from "./context.js";
import { toProviderError } from "./errors.js";
import { observeAzure } from "./observe.js";
import { createShare, deleteShare, updateShare } from "./shares.js";
import { azureSnapshots } from "./snapshots.js";
import { createVm } from "./vm-create.js";
import { deleteVm } from "./vm-delete.js";
import { azurePower } from "./vm-restart.js";
import { updateVm } from "./vm-update.js";

function unsupportedKind(kind: string): ProviderError {
  return new ProviderError(`the Azure provider does not manage ${kind} resources`, { code: "UNSUPPORTED_KIND", retryable: false });
}

/**
 * Opens an Azure session: builds the clients (credential, subscription, endpoint, TLS, rate limit),
 * checks that ARM answers (first page of the subscription's resource groups), and returns the
 * session. VirtualMachine and NfsShare are managed; snapshots and restarts act on VMs.
 */
export async function connectAzure(config: DesiredProvider, options: ConnectOptions): Promise<ProviderSession> {
  const clients = await buildClients(config, options);
  try {
    await clients.resources.resourceGroups.list({ abortSignal: options.signal }).byPage().next();
  } catch (err) {
    throw toProviderError(`connect to Azure (${clients.endpoint}, subscription ${clients.subscriptionId})`, err);
  }
  const ctx: AzureContext = { clients, stack: options.stack, config, spec: config.spec as AzureProviderSpec, groups: new Set(), shareAccounts: new Map(), locks: new KeyedMutex(), subnets: new Map(), subnetDemand: new Map() };
  return {
    observe: (scope) => observeAzure(ctx, scope),
    capacity: (scope) => readAzureCapacity(ctx, scope),
    async create(req, op) {
      if (req.kind === "VirtualMachine") return createVm(ctx, req, op);
      if (req.kind === "NfsShare") return createShare(ctx, req, op);
      throw unsupportedKind(req.kind);
    },
    async update(req, op) {
      if (req.kind === "VirtualMachine") return updateVm(ctx, req, op);
      if (req.kind === "NfsShare") return updateShare(ctx, req, op);
      throw unsupportedKind(req.kind);
    },
    async delete(req, op) {
      if (req.kind === "VirtualMachine") return deleteVm(ctx, req, op);
      if (req.kind === "NfsShare") return deleteShare(ctx, req, op);
      throw unsupportedKind(req.kind);
    },
    snapshots: azureSnapshots(ctx),
    power: azurePower(ctx),
    close: async () => clients.agent.destroy(),
  };
}
