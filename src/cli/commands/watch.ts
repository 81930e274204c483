import { readFile, mkdir } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { durationToMs } from "../../manifest/units.js";
import { parseChangeWindow } from "../../daemon/change-window.js";
import { parseTestClock, systemClock } from "../../daemon/clock.js";
import { Daemon, DEFAULT_SHUTDOWN_MS } from "../../daemon/daemon.js";
import { GitSource } from "../../daemon/git-source.js";
import { parseListen } from "../../daemon/http-server.js";
import { isLoopback } from "../../daemon/web/auth.js";
import { streamLogger } from "../../daemon/log.js";
import { DEFAULT_WEBHOOK_TIMEOUT_MS, Notifier } from "../../daemon/notify.js";
import type { WatchMode } from "../../daemon/pass-types.js";
import { connectProviders } from "../connect.js";
import { InterruptedError, UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { stackName, openWorkspace } from "../workspace.js";
import { leaderLeaseFor } from "../../state/open-store.js";

interface Flags {
  mode: string;
  leaseTtl: string;
  interval: string;
  debounce: string;
  changeWindow?: string[];
  listen: string;
  tokenFile?: string;
  webhook?: string[];
  webhookFormat: string;
  webhookTimeout: string;
  shutdownTimeout: string;
  git?: string;
  branch: string;
  poll: string;
  workdir: string;
  parallelism: string;
  target?: string[];
  exclude?: string[];
  allowMassDelete?: boolean;
  stack?: string;
  state?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function duration(name: string, v: string): number {
  const ms = durationToMs(v);
  if (!ms) throw new UsageError(`--${name} must be a duration such as 500ms, 30s, 5m or 1h, not "${v}"`);
  return ms;
}

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `vmsync watch`: the reconciliation daemon. Parses flags into `DaemonOptions`, opens state the
 * way every command does, runs the daemon until SIGTERM/SIGINT, then shuts down gracefully (exit 0).
 */
export function registerWatch(program: Command, io: () => CliIO): void {
  program
    .command("watch")
    .description("Run as a daemon: reconcile on manifest changes, git commits and an interval; detect (and optionally correct) drift; run snapshot schedules")
    .argument("[paths...]", "manifest files or folders (inside the repository with --git)", ["."])
    .option("--mode <mode>", "observe (report drift), plan (also show what would change) or apply (correct it)", "plan")
    .option("--interval <duration>", "resync every so often (±10% jitter), even when nothing changed", "5m")
    .option("--debounce <duration>", "wait this long after the last file change (a save starts a plan within about a third of a second)", "100ms")
    .option("--change-window <spec>", 'apply only inside "CRON DURATION" (UTC), e.g. "0 22 * * 1-5 4h" (repeatable)', collect)
    .option("--listen <host:port>", "where to serve the status page (/) and /healthz /readyz /metrics /status; beyond loopback a token is required", "127.0.0.1:9464")
    .option("--token-file <file>", "require this bearer token for the status page, /metrics and /status (also: VMSYNC_WATCH_TOKEN)")
    .option("--webhook <url>", "POST notifications here (drift, apply results, schedule failures; repeatable)", collect)
    .option("--webhook-format <format>", "json or slack", "json")
    .option("--webhook-timeout <duration>", "give up on one webhook delivery attempt after this long", `${DEFAULT_WEBHOOK_TIMEOUT_MS / 1000}s`)
    .option("--shutdown-timeout <duration>", "after SIGTERM/Ctrl-C, how long running steps may take to finish before they are cancelled", `${DEFAULT_SHUTDOWN_MS / 1000}s`)
    .option("--git <url>", "follow a git repository instead of the local files")
    .option("--branch <name>", "branch to follow with --git", "main")
    .option("--poll <duration>", "how often to ask the git remote for new commits", "60s")
    .option("--workdir <folder>", "with --git: where the clone and the state live", ".vmsync-watch")
    .option("--parallelism <n>", "most steps in flight at once across providers", "10")
    .option("--target <pattern>", "only resources whose address matches (glob; repeatable)", collect)
    .option("--exclude <pattern>", "leave out resources whose address matches (glob; repeatable)", collect)
    .option("--allow-mass-delete", "allow plans that delete every managed resource or more than half of them")
    .option("--stack <name>", "stack name in ownership markers (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--lease-ttl <duration>", "with PostgreSQL state: how long a leader's lease lasts without renewal; another daemon takes over within about this plus a third of it", "15s")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync watch examples/clusters/homelab                      # plan mode: report drift and pending changes
  $ vmsync watch --mode apply --interval 10m                    # self-heal
  $ vmsync watch --mode apply --change-window "0 22 * * 1-5 4h" # apply only on weekday nights (UTC)
  $ vmsync watch --git https://git.example/infra.git --branch main --poll 60s --mode apply clusters/prod
  $ curl -s 127.0.0.1:9464/status | jq .drift
  $ xdg-open http://127.0.0.1:9464/                             # the status page (live)
  $ vmsync watch --listen 0.0.0.0:9464 --token-file /etc/vmsync/token   # beyond loopback: token required
SIGTERM or Ctrl-C: nothing new starts and the HTTP server closes (open and streaming connections
end); running steps get --shutdown-timeout (30s) to finish and be recorded, then their provider calls
are cancelled; webhooks still in flight are abandoned; state is saved; exit 0. A second signal
cancels running steps at once (state stays consistent; exit 130). The state lock is held only while applying.`,
    )
    .action(async (paths: string[], flags: Flags) => {
      const out = io();
      const mode = flags.mode as WatchMode;
      if (!["observe", "plan", "apply"].includes(mode)) throw new UsageError(`--mode must be observe, plan or apply, not "${flags.mode}"`);
      if (!["json", "slack"].includes(flags.webhookFormat)) throw new UsageError(`--webhook-format must be json or slack, not "${flags.webhookFormat}"`);
      const parallelism = Number(flags.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`--parallelism must be a whole number ≥ 1, not ${flags.parallelism}`);
      const windows = usage(() => (flags.changeWindow ?? []).map(parseChangeWindow));
      const listen = usage(() => parseListen(flags.listen));
      for (const url of flags.webhook ?? []) if (!/^https?:\/\//.test(url)) throw new UsageError("--webhook must be an http:// or https:// URL");
      const token = flags.tokenFile ? (await readFile(resolve(out.cwd, flags.tokenFile), "utf8")).trim() : out.env.VMSYNC_WATCH_TOKEN?.trim() || undefined;
      if (flags.tokenFile && !token) throw new UsageError(`--token-file ${flags.tokenFile} is empty`);
      if (!token && !isLoopback(listen.host)) throw new UsageError(`--listen ${flags.listen} can be reached from other machines, so the status page, /metrics and /status need a bearer token`, "Give --token-file FILE (or set VMSYNC_WATCH_TOKEN), or listen on loopback (127.0.0.1:PORT).");
      const scheduleClock = usage(() => parseTestClock(out.env.VMSYNC_TEST_CLOCK)) ?? systemClock;
      const shutdownMs = duration("shutdown-timeout", flags.shutdownTimeout);
      const webhookTimeoutMs = duration("webhook-timeout", flags.webhookTimeout);

      const workdir = resolve(out.cwd, flags.workdir);
      const git = flags.git ? usage(() => new GitSource({ url: flags.git!, branch: flags.branch, dir: resolve(workdir, "repo") })) : undefined;
      if (git) await mkdir(workdir, { recursive: true });
      const manifestCwd = git ? resolve(workdir, "repo") : out.cwd;
      const named = git && (paths[0] ?? ".") === "." ? basename(flags.git!).replace(/\.git$/, "") : basename(resolve(manifestCwd, paths[0] ?? "."));
      // an explicit stack (or the repository's name with --git) is passed on; otherwise the workspace
      // derives the same default as `vmsync plan` in that folder, so both share one state
      const stack = flags.stack ?? out.env.VMSYNC_STACK ?? (git ? stackName(named, {}, {}) : undefined);
      const ws = await openWorkspace(git ? [workdir] : paths, { ...(stack ? { stack } : {}), ...(flags.state ? { state: flags.state } : {}) }, out, false);
      const logger = streamLogger(out.stderr, { json: out.json, now: () => systemClock.now() });
      const user = userInfo().username;
      // PostgreSQL state: one leader per stack among several daemons; a follower that becomes leader reconciles at once
      let daemonRef: Daemon | undefined;
      const lease = await leaderLeaseFor(ws.store, { ttlMs: duration("lease-ttl", flags.leaseTtl), onChange: (leader) => leader && daemonRef?.request("became the leader") });
      const daemon = new Daemon({
        stack: ws.stack, paths, cwd: manifestCwd, store: ws.store, env: out.env, mode, windows,
        planOptions: { targets: flags.target ?? [], excludes: flags.exclude ?? [], allowMassDelete: flags.allowMassDelete === true },
        intervalMs: duration("interval", flags.interval), debounceMs: duration("debounce", flags.debounce), watchFiles: !git,
        ...(git ? { git: { source: git, pollMs: duration("poll", flags.poll) } } : {}),
        parallelism, clock: systemClock, scheduleClock, logger, connect: connectProviders,
        ...(flags.webhook?.length ? { notifier: new Notifier({ urls: flags.webhook, format: flags.webhookFormat as "json" | "slack", clock: systemClock, logger, timeoutMs: webhookTimeoutMs }) } : {}),
        http: { ...listen, ...(token ? { token } : {}) },
        lockHolder: { host: hostname(), pid: process.pid, user, command: `vmsync watch --mode ${mode}` },
        ...(lease ? { leadership: lease } : {}),
      });
      daemonRef = daemon;
      logger.log("info", "vmsync watch starting", { stack: ws.stack, mode, state: ws.store.location, source: git ? git.describe().url : paths.join(" "), windows: windows.map((w) => w.text) });
      let forced = false;
      let stopping: Promise<unknown> | undefined;
      let resolveStopped = () => {};
      const stopped = new Promise<void>((r) => (resolveStopped = r));
      const onSignal = (sig: NodeJS.Signals) => {
        if (stopping) {
          forced = true;
          logger.log("warn", `${sig} again: cancelling running steps now`);
          void daemon.stop();
          return;
        }
        logger.log("info", `${sig}: stopping; running steps may take up to ${shutdownMs / 1000} s to finish and be recorded, then they are cancelled (send it again to cancel them now)`);
        stopping = daemon.stop({ graceMs: shutdownMs }).then(resolveStopped);
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        await daemon.start().catch(async (err: unknown) => {
          await daemon.stop({ graceMs: shutdownMs });
          throw err;
        });
        await stopped;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await lease?.close();
        await ws.store.close();
      }
      logger.log("info", "vmsync watch stopped; state saved");
      if (forced) throw new InterruptedError("vmsync watch: running steps were cancelled by a second signal; state is saved");
    });
}
