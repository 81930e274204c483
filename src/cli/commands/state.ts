import { hostname, userInfo } from "node:os";
import type { Command } from "commander";
import { openFileStateStore } from "../../state/file-store.js";
import { openStateStore } from "../../state/open-store.js";
import { isPostgresUrl } from "../../state/postgres/url.js";
import { auditEntry } from "../audit.js";
import { UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { StateLockedError } from "../../state/contract.js";
import { liveStatus } from "../state-status.js";
import { openWorkspace, stackName, stateRoot } from "../workspace.js";

interface Flags {
  dir: string;
  stack?: string;
  state?: string;
}

/** `vmsync state list | show ADDR | rm ADDR | unlock`: inspect and repair the state inventory. */
export function registerState(program: Command, io: () => CliIO): void {
  const state = program
    .command("state")
    .description("Inspect and repair vmsync's state (what it manages)")
    .option("-C, --dir <folder>", "the manifest folder whose .vmsync/ state to use", ".")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync state list
  $ vmsync state show VirtualMachine/web-1      # the record, and its power and addresses now
  $ vmsync state rm VirtualMachine/old      # stop managing it (nothing is deleted at the provider)
  $ vmsync state unlock                     # remove a lock left by a process that is gone
  $ vmsync state migrate --to postgres://vmsync@db/vmsync   # move .vmsync/ (with history) to PostgreSQL`,
    );
  const withStore = async <T>(fn: (ws: Awaited<ReturnType<typeof openWorkspace>>, out: CliIO) => Promise<T>) => {
    const out = io();
    const { dir, stack, state: url } = state.opts<Flags>();
    const ws = await openWorkspace([dir], { ...(stack ? { stack } : {}), ...(url ? { state: url } : {}) }, out, false);
    try {
      return await fn(ws, out);
    } finally {
      await ws.store.close();
    }
  };

  state
    .command("list")
    .description("List managed resources: address, provider, id and status (protected, a failed step, a pending create), tab-separated")
    .option("--no-headers", "leave out the header line")
    .action((flags: { headers: boolean }) =>
      withStore(async (ws, out) => {
        const snap = await ws.store.read();
        const rows = Object.values(snap.resources).sort((a, b) => a.address.localeCompare(b.address));
        if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, resources: rows, pending: Object.values(snap.pending) }) + "\n");
        if (!rows.length && !Object.keys(snap.pending).length) return void out.stderr.write(`No managed resources in ${ws.store.location}.\n`);
        if (flags.headers) out.stdout.write("ADDRESS\tPROVIDER\tID\tSTATUS\n");
        for (const r of rows) {
          const status = [r.protect ? "protected" : "", r.failedStep ? `${r.failedStep.action} failed at ${r.failedStep.at}` : ""].filter(Boolean).join(", ");
          out.stdout.write(`${r.address}\t${r.provider || "vmsync"}\t${r.externalId}\t${status}\n`);
        }
        for (const p of Object.values(snap.pending)) out.stdout.write(`${p.address}\t${p.provider}\t-\tcreate pending since ${p.startedAt}\n`);
      }),
    );

  state
    .command("show")
    .description("Show one managed resource, with what its provider reports now (power, placement, addresses)")
    .argument("<address>")
    .option("--offline", "only the state record: do not ask the provider")
    .action((address: string, flags: { offline?: boolean }) =>
      withStore(async (ws, out) => {
        const r = (await ws.store.read()).resources[address];
        if (!r) throw new UsageError(`${address} is not in state`, "See `vmsync state list`.");
        const live = flags.offline ? undefined : await liveStatus(r, { dir: ws.root, cwd: out.cwd, stack: ws.stack, env: out.env });
        out.stdout.write(JSON.stringify({ ...r, ...live }, null, 2) + "\n");
      }),
    );

  state.command("rm").description("Forget a resource (it stays at the provider, unmanaged)").argument("<address...>").action((addresses: string[]) =>
    withStore(async (ws, out) => {
      // under the apply lock: a concurrent apply must not lose this change, nor this one its
      const startedAt = new Date();
      const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: `vmsync state rm ${addresses.join(" ")}` });
      try {
        const snap = await ws.store.read();
        for (const a of addresses) if (!snap.resources[a] && !snap.pending[a]) throw new UsageError(`${a} is not in state`, "See `vmsync state list`.");
        await ws.store.commit(addresses.flatMap((address) => [{ type: "removeResource" as const, address }, { type: "clearPending" as const, address }]));
        await ws.store.appendHistory(auditEntry(`state rm ${addresses.join(" ")}`, addresses, startedAt, out.env));
      } finally {
        await lock.release();
      }
      out.stdout.write(`Removed ${addresses.length} resource${addresses.length === 1 ? "" : "s"} from state; nothing was changed at the providers.\n`);
    }),
  );

  state
    .command("unlock")
    .description("Remove the state lock when its holder is gone (a lock of a live process needs --force)")
    .option("--force", "remove it even though its holder still seems to run (e.g. on another host that is gone)")
    .action((flags: { force?: boolean }) =>
      withStore(async (ws, out) => {
        try {
          // a free lock, or one whose holder is dead (reclaimed on the way), can simply be taken and released
          const probe = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: "vmsync state unlock" });
          await probe.release();
          return void out.stdout.write("The state is not locked (any lock left by a process that is gone was cleared).\n");
        } catch (err) {
          if (!(err instanceof StateLockedError)) throw err;
          if (!flags.force) throw new UsageError(`${err.message.replace(/; wait for it.*$/, "")}, and that process still seems to run`, "Wait for it to finish. If it is really gone (e.g. its host died), run `vmsync state unlock --force`.");
        }
        const held = await ws.store.forceUnlock();
        out.stdout.write(held ? `Removed the lock held by ${held.user}@${held.host} (pid ${held.pid}, "${held.command}", since ${held.acquiredAt}).\n` : "The state was not locked.\n");
      }),
    );

  state
    .command("migrate")
    .description("Move this folder's file state (.vmsync/, with history) into PostgreSQL, verified by reading it back")
    .requiredOption("--to <url>", "postgres://user@host/db (password from PGPASSWORD, ~/.pgpass or vmsync.config.yaml)")
    .option("--force", "replace a different state already held by the target stack")
    .action(async (flags: { to: string; force?: boolean }) => {
      const out = io();
      if (!isPostgresUrl(flags.to)) throw new UsageError(`--to must be a postgres:// URL`, "e.g. vmsync state migrate --to postgres://vmsync@db.example/vmsync");
      const opts = state.opts<Flags>();
      const root = await stateRoot([opts.dir], out.cwd);
      const stack = stackName(root, opts.stack ? { stack: opts.stack } : {}, out.env);
      const source = await openFileStateStore(root);
      try {
        const target = await openStateStore({ root, stack, url: flags.to, env: out.env });
        try {
          const [{ PgStateStore }, { migrateState }] = await Promise.all([import("../../state/postgres/store.js"), import("../../state/postgres/migrate-state.js")]);
          if (!(target instanceof PgStateStore)) throw new UsageError("--to must name a PostgreSQL database");
          const holder = { host: hostname(), pid: process.pid, user: userInfo().username, command: "vmsync state migrate" };
          const r = await migrateState(source, target, { force: flags.force === true, holder });
          if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, from: source.location, to: target.location, ...r }) + "\n");
          out.stdout.write(
            r.alreadyThere
              ? `${target.location} already holds this state (serial ${r.serial}); nothing was written.\n`
              : `Moved ${r.resources} resources, ${r.pending} pending creates and ${r.history} history entries (serial ${r.serial}) from ${source.location} to ${target.location}; read back and verified.\n`,
          );
          out.stdout.write(`Use it from now on with --state, VMSYNC_STATE_URL or "state: {url: …}" in vmsync.config.yaml; ${source.location} was left as it was (keep it as a backup, and stop using it).\n`);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}
