import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import type { Command } from "commander";
import { snapshotHistoryEntry, snapshotName, runSnapshotRound, type Retention } from "../../reconcile/snapshots.js";
import { connectProviders } from "../connect.js";
import { CommandFailed, UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { openWorkspace } from "../workspace.js";

/** The schedule name of `SnapshotSchedule/x` or `x`. */
export function scheduleNameOf(arg: string): string {
  return arg.startsWith("SnapshotSchedule/") ? arg.slice("SnapshotSchedule/".length) : arg;
}

/**
 * `vmsync snapshot run SCHEDULE`: one round of a schedule now — a snapshot of every target vmsync
 * manages, then pruning beyond retention — for providers without native schedules (Proxmox,
 * Azure). Usable from cron; the watch daemon runs the same round on the schedule.
 */
export function registerSnapshotRun(snapshot: Command, io: () => CliIO): void {
  snapshot
    .command("run")
    .description("Take one round of a schedule's snapshots now, then prune beyond its retention")
    .argument("<schedule>", "the SnapshotSchedule: NAME or SnapshotSchedule/NAME")
    .argument("[paths...]", "manifest files or folders", ["."])
    .option("--stack <name>", "stack name (default: the manifest folder's name)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText("after", "\nExamples:\n  $ vmsync snapshot run nightly\n  $ vmsync snapshot run SnapshotSchedule/nightly examples/clusters/demo\n  # crontab: 0 3 * * *  cd /srv/fleet && vmsync snapshot run nightly")
    .action(async (arg: string, paths: string[], flags: { stack?: string; state?: string }) => {
      const out = io();
      const name = scheduleNameOf(arg);
      const ws = await openWorkspace(paths, flags, out);
      try {
        const schedule = ws.desired.resources.find((r) => r.address === `SnapshotSchedule/${name}`);
        if (!schedule) throw new UsageError(`no SnapshotSchedule named "${name}" in the manifests`);
        const spec = schedule.spec as { retention: Retention; resolvedTargets: string[] };
        const state = await ws.store.read();
        const targets = spec.resolvedTargets.map((a) => state.resources[a]).filter((r) => r !== undefined);
        const unmanaged = spec.resolvedTargets.filter((a) => !state.resources[a]);
        for (const a of unmanaged) out.stderr.write(`${out.color.yellow("warning:")} ${a} is not applied yet; no snapshot taken\n`);
        const conn = await connectProviders([...new Set(targets.map((t) => t.provider))], ws.desired, { stack: ws.stack, env: out.env });
        const startedAt = new Date();
        try {
          const results = await runSnapshotRound({ schedule: name, retention: spec.retention, targets, sessions: conn.sessions, now: startedAt, signal: new AbortController().signal });
          const failed = results.filter((r) => r.error);
          await ws.store.appendHistory(snapshotHistoryEntry({ id: randomUUID(), schedule: name, results, user: userInfo().username, host: hostname(), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString() }));
          if (out.json) out.stdout.write(JSON.stringify({ formatVersion: 1, schedule: name, snapshot: snapshotName(name, startedAt), results }) + "\n");
          else for (const r of results) out.stdout.write(r.error ? `${r.target}: ${out.color.red("failed")}: ${r.error}\n` : `${r.target}: took ${r.created}${r.pruned.length ? `, pruned ${r.pruned.join(", ")}` : ""}\n`);
          if (failed.length) throw new CommandFailed(`${failed.length} of ${results.length} snapshots failed`, false);
        } finally {
          await conn.close();
        }
      } finally {
        await ws.store.close();
      }
    });
}
