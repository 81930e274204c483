import { writeFile } from "node:fs/promises";
import { Daemon, type DaemonOptions } from "../../../src/daemon/daemon.js";
import { memoryLogger } from "../../../src/daemon/log.js";
import { Notifier } from "../../../src/daemon/notify.js";
import type { ConnectFn } from "../../../src/daemon/reconcile-pass.js";
import type { Provider, ProviderSession } from "../../../src/providers/contract.js";
import { openFileStateStore } from "../../../src/state/file-store.js";
import type { StateStore } from "../../../src/state/contract.js";
import { FakeProvider } from "../../helpers/fake-provider.js";
import { proxmoxProvider, vm } from "../../helpers/manifests.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { ManualClock } from "./manual-clock.js";

/** A connect function handing out fake sessions; each observe reports one API request. */
export function fakeConnect(fake: FakeProvider): ConnectFn {
  return async (names, _desired, opts) => {
    const providers = new Map<string, Provider>();
    const sessions = new Map<string, ProviderSession>();
    for (const name of names) {
      const session = await fake.connect();
      const observe = session.observe.bind(session);
      session.observe = async (scope) => {
        opts.onRequest?.({ provider: name, method: "GET", path: "/fake/list", status: 200, ms: 3 });
        return observe(scope);
      };
      providers.set(name, fake);
      sessions.set(name, session);
    }
    return { providers, sessions, close: async () => {} };
  };
}

/** A daemon over a temp manifest tree, the fake provider, a manual clock and captured webhooks. */
export interface Harness {
  daemon: Daemon;
  fake: FakeProvider;
  store: StateStore;
  tree: TempTree;
  clock: ManualClock;
  logger: ReturnType<typeof memoryLogger>;
  webhooks: unknown[];
  /** Requests a pass and waits for it (and any queued one). */
  pass(reason?: string): Promise<void>;
  write(files: Record<string, string>): Promise<void>;
  /** Another daemon on the same tree, store and world (e.g. in another mode). */
  restart(over: Partial<DaemonOptions>): Promise<void>;
  cleanup(): Promise<void>;
}

/** Default manifests: provider `pve` and VM `web`. */
export const BASE_FILES = { "providers.yaml": proxmoxProvider, "vms.yaml": vm("web") };

/** Builds and starts a daemon (no HTTP, no file watching; passes are requested by the test). */
export async function startHarness(over: Partial<DaemonOptions> = {}, files: Record<string, string> = BASE_FILES, clock = new ManualClock()): Promise<Harness> {
  const tree = await tempTree(files);
  const store = await openFileStateStore(tree.dir);
  const fake = new FakeProvider();
  fake.snapshotNow = () => clock.now();
  const logger = memoryLogger();
  const webhooks: unknown[] = [];
  const fetchFake = (async (_url: string, init: { body: string }) => {
    webhooks.push(JSON.parse(init.body));
    return new Response("ok");
  }) as unknown as typeof fetch;
  const make = (o: Partial<DaemonOptions>) =>
    new Daemon({
      stack: "test", paths: [tree.dir], cwd: tree.dir, store, env: {}, mode: "apply", windows: [], intervalMs: 24 * 3600_000, debounceMs: 100, watchFiles: false,
      parallelism: 4, clock, logger, connect: fakeConnect(fake), planOptions: { targets: [], excludes: [], allowMassDelete: false },
      notifier: new Notifier({ urls: ["http://hooks.invalid/x"], format: "json", clock, logger, fetch: fetchFake }),
      execution: { retry: { attempts: 2, baseMs: 1, maxMs: 1 }, runtime: { sleep: async () => {}, random: () => 0.5, now: () => clock.now() } },
      lockHolder: { host: "test", pid: process.pid, user: "tester", command: "vmsync watch" }, random: () => 0.5, processMetrics: false, ...o,
    });
  const h: Harness = {
    daemon: make(over), fake, store, tree, clock, logger, webhooks,
    pass: async (reason = "test") => {
      h.daemon.request(reason);
      await h.daemon.idle();
      await h.daemon.schedules.idle();
    },
    write: async (f) => {
      for (const [rel, text] of Object.entries(f)) await writeFile(tree.path(rel), text);
    },
    restart: async (o) => {
      await h.daemon.stop();
      h.daemon = make({ ...over, ...o });
      await h.daemon.start();
      await h.daemon.idle();
    },
    cleanup: async () => {
      await h.daemon.stop();
      await store.close();
      await tree.cleanup();
    },
  };
  await h.daemon.start();
  await h.daemon.idle();
  return h;
}
