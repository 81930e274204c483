import type { ConnectOptions, Provider, ProviderSession } from "../providers/contract.js";
import { providerFor } from "../providers/registry.js";
import { GUEST_PROVIDER, type DesiredState } from "../manifest/model.js";
import { UsageError } from "./errors.js";

/** Open sessions and implementations for the providers a run uses. `close()` ends every session. */
export interface Connections {
  providers: Map<string, Provider>;
  sessions: Map<string, ProviderSession>;
  close(): Promise<void>;
}

/**
 * Connects to the named providers concurrently. A provider named in state but no longer in the
 * manifests cannot be reached (its settings are gone): that is a usage error naming it. When one
 * connection fails, the others still connecting are cancelled and any session that opens after all
 * is closed at once, so nothing is left holding the process open.
 */
export async function connectProviders(names: string[], desired: DesiredState, opts: { stack: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; onRequest?: ConnectOptions["onRequest"] }): Promise<Connections> {
  const providers = new Map<string, Provider>();
  const sessions = new Map<string, ProviderSession>();
  const cancel = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, cancel.signal]) : cancel.signal;
  const close = async () => {
    await Promise.allSettled([...sessions.values()].map((s) => s.close()));
  };
  try {
    await Promise.all(
      names.filter((n) => n !== GUEST_PROVIDER).map(async (name) => {
        const config = desired.providers.get(name);
        if (!config) throw new UsageError(`state has resources on provider "${name}", which is no longer in the manifests`, `Put the Provider manifest "${name}" back so vmsync can reach those resources (to delete them, or remove them from state with \`vmsync state rm\`).`);
        const impl = await providerFor(config.spec.type);
        providers.set(name, impl);
        const session = await impl.connect(config, { stack: opts.stack, env: opts.env, signal, ...(opts.onRequest ? { onRequest: opts.onRequest } : {}) });
        if (cancel.signal.aborted) await session.close(); // another provider failed meanwhile
        else sessions.set(name, session);
      }),
    );
    // the guest layer (VirtualMachine/NAME@guest) reaches VMs over SSH, finding them through the sessions above
    if (names.includes(GUEST_PROVIDER)) {
      const { guestProvider, GuestSession } = await import("../guest/index.js");
      providers.set(GUEST_PROVIDER, guestProvider);
      sessions.set(GUEST_PROVIDER, new GuestSession({ stack: opts.stack, desired, sessions, env: opts.env }));
    }
  } catch (err) {
    cancel.abort();
    await close();
    throw err;
  }
  return { providers, sessions, close };
}
