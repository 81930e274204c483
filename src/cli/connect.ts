import { setMaxListeners } from "node:events";
import type { ConnectOptions, Provider, ProviderSession } from "../providers/contract.js";
import { loadWeight, providerFor } from "../providers/registry.js";
import { GUEST_PROVIDER, type DesiredState } from "../manifest/model.js";
import { UsageError } from "./errors.js";

/** Open sessions and implementations for the providers a run uses. `close()` ends every session. */
export interface Connections {
  providers: Map<string, Provider>;
  sessions: Map<string, ProviderSession>;
  close(): Promise<void>;
}

/**
 * Connects to the named providers concurrently (their implementations loaded lightest first, see
 * `implementationsInTurn`). A provider named in state but no longer in the
 * manifests cannot be reached (its settings are gone): that is a usage error naming it. When one
 * connection fails, the others still connecting are cancelled; once every attempt has ended, the
 * sessions that did open are closed and the first failure is thrown, so nothing is left running.
 */
export async function connectProviders(names: string[], desired: DesiredState, opts: { stack: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; onRequest?: ConnectOptions["onRequest"] }): Promise<Connections> {
  const providers = new Map<string, Provider>();
  const sessions = new Map<string, ProviderSession>();
  const cancel = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, cancel.signal]) : cancel.signal;
  // every request in flight on every session listens to this one signal; the providers' concurrency
  // limits bound how many, so Node's leak warning (printed from the 11th) would only be noise on stderr
  setMaxListeners(0, signal);
  const close = async () => {
    await Promise.allSettled([...sessions.values()].map((s) => s.close()));
  };
  let first: { error: unknown } | undefined;
  const load = implementationsInTurn();
  const attempts = byWeight(names.filter((n) => n !== GUEST_PROVIDER), desired).map(async (name) => {
    try {
      const config = desired.providers.get(name);
      if (!config) throw new UsageError(`state has resources on provider "${name}", which is no longer in the manifests`, `Put the Provider manifest "${name}" back so vmsync can reach those resources (to delete them, or remove them from state with \`vmsync state rm\`).`);
      const impl = await load(config.spec.type);
      providers.set(name, impl);
      sessions.set(name, await impl.connect(config, { stack: opts.stack, env: opts.env, signal, ...(opts.onRequest ? { onRequest: opts.onRequest } : {}) }));
    } catch (err) {
      first ??= { error: err }; // the cause; what fails after it was cancelled because of it
      cancel.abort(); // the others stop trying
    }
  });
  // wait for every attempt (cancelled ones end quickly), so nothing is still connecting or loading after we return
  await Promise.all(attempts);
  if (!first && names.includes(GUEST_PROVIDER)) {
    // the guest layer (VirtualMachine/NAME@guest) reaches VMs over SSH, finding them through the sessions above
    try {
      const { guestProvider, GuestSession } = await import("../guest/index.js");
      providers.set(GUEST_PROVIDER, guestProvider);
      sessions.set(GUEST_PROVIDER, new GuestSession({ stack: opts.stack, desired, sessions, env: opts.env }));
    } catch (err) {
      first = { error: err };
    }
  }
  if (first) {
    await close();
    throw first.error;
  }
  return { providers, sessions, close };
}

/** `names` with the providers whose implementations load fastest first (unknown ones last, in order). */
function byWeight(names: string[], desired: DesiredState): string[] {
  const weight = (n: string) => loadWeight(desired.providers.get(n)?.spec.type ?? "");
  return [...names].sort((a, b) => weight(a) - weight(b));
}

/**
 * Loads provider implementations one after the other, in the order asked, letting the event loop
 * run between them: loading a module blocks the thread (the Azure SDKs for ~0.2 s), so a provider
 * loaded earlier already has its connection (TLS handshake, login) on the wire while the next
 * one loads, instead of every connection waiting for every module.
 */
function implementationsInTurn(): (type: Parameters<typeof providerFor>[0]) => Promise<Provider> {
  let previous: Promise<unknown> = Promise.resolve();
  return (type) => {
    const turn = previous.then(() => providerFor(type)).then((impl) => new Promise<Provider>((resolve) => setImmediate(() => resolve(impl))));
    previous = turn.catch(() => undefined);
    return turn;
  };
}
