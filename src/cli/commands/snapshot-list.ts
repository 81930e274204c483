import type { Command } from "commander";
import pLimit from "p-limit";
import type { DesiredState } from "../../manifest/model.js";
import { snapshotOrigin, type SnapshotOrigin } from "../../reconcile/snapshots.js";
import type { ResourceRecord, StateSnapshot } from "../../state/contract.js";
import { textTable } from "../../status/render-text.js";
import { relativeTime } from "../../status/time-text.js";
import { connectProviders } from "../connect.js";
import { CommandFailed } from "../errors.js";
import type { CliIO } from "../io.js";
import { resolveManaged } from "../managed-targets.js";
import { openWorkspace } from "../workspace.js";
import { scheduleNameOf } from "./snapshot-run.js";

/** One listed snapshot of one resource (the JSON shape of `snapshot list --json`). */
export type SnapshotRow = { address: string; name: string; createdAt: string } & SnapshotOrigin;

/** Resources that can have snapshots: VMs everywhere, shares on TrueNAS (ZFS datasets). */
function snapshottable(desired: DesiredState, r: ResourceRecord): boolean {
  return r.kind === "VirtualMachine" || r.kind === "Container" || (r.kind === "NfsShare" && desired.providers.get(r.provider)?.spec.type === "truenas");
}

/** What to list: every snapshottable resource, one resource, or a schedule's targets (and only its snapshots). */
function scope(desired: DesiredState, state: StateSnapshot, arg: string | undefined): { targets: ResourceRecord[]; schedule?: string; native?: Set<string> } {
  const all = Object.values(state.resources).filter((r) => snapshottable(desired, r)).sort((a, b) => a.address.localeCompare(b.address));
  if (!arg) return { targets: all };
  const name = scheduleNameOf(arg);
  const schedules = desired.resources.filter((r) => r.kind === "SnapshotSchedule" && r.name === name);
  if (schedules.length && (arg.startsWith("SnapshotSchedule/") || !all.some((r) => r.address.endsWith(`/${arg}`)))) {
    const targetsOf = (list: typeof schedules) => list.flatMap((s) => (s.spec as { resolvedTargets: string[] }).resolvedTargets);
    const wanted = new Set(targetsOf(schedules));
    return { targets: all.filter((r) => wanted.has(r.address)), schedule: name, native: new Set(targetsOf(schedules.filter((s) => s.provider))) };
  }
  return { targets: resolveManaged(state, { names: [arg], globs: [] }, ["VirtualMachine", "Container", "NfsShare"]) };
}

function byText(o: SnapshotOrigin): string {
  switch (o.origin) {
    case "schedule": return `schedule ${o.schedule}`;
    case "ad-hoc": return "vmsync (on request)";
    case "other-stack": return `vmsync stack ${o.stack}`;
    case "outside": return "not vmsync";
  }
}

/** `vmsync snapshot list [ADDR|SCHEDULE]`: the snapshots of managed resources and who took them. */
export function registerSnapshotList(snapshot: Command, io: () => CliIO): void {
  snapshot
    .command("list")
    .description("List snapshots of managed VMs and shares, and who took them (a schedule, a person through vmsync, or not vmsync)")
    .argument("[target]", "a resource (VirtualMachine/NAME or NAME) or a schedule (SnapshotSchedule/NAME: only its snapshots)")
    .option("-C, --dir <path>", "the manifest folder (or file) whose providers and state to use", ".")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText("after", "\nExamples:\n  $ vmsync snapshot list\n  $ vmsync snapshot list VirtualMachine/db\n  $ vmsync snapshot list SnapshotSchedule/nightly --json")
    .action(async (arg: string | undefined, flags: { dir: string; stack?: string; state?: string }) => {
      const out = io();
      const ws = await openWorkspace([flags.dir], flags, out);
      try {
        const { targets, schedule, native } = scope(ws.desired, await ws.store.read(), arg);
        const own = ws.desired.resources.filter((r) => r.kind === "SnapshotSchedule" && !r.provider).map((r) => r.name);
        const conn = await connectProviders([...new Set(targets.map((t) => t.provider))].sort(), ws.desired, { stack: ws.stack, env: out.env });
        const rows: SnapshotRow[] = [];
        const errors: string[] = [];
        try {
          const limit = pLimit(4);
          await Promise.all(targets.map((t) => limit(async () => {
            try {
              const snaps = conn.sessions.get(t.provider)?.snapshots;
              if (!snaps) throw new Error(`provider "${t.provider}" has no snapshots`);
              for (const s of await snaps.list({ kind: t.kind as "VirtualMachine", externalId: t.externalId })) {
                const origin = snapshotOrigin(s, ws.stack, own);
                // a schedule's own snapshots; on a provider that runs it natively (TrueNAS), those its task took
                const mine = native?.has(t.address) ? origin.origin === "outside" : origin.origin === "schedule" && origin.schedule === schedule;
                if (schedule && !mine) continue;
                rows.push({ address: t.address, name: s.name, createdAt: s.createdAt, ...(schedule ? { origin: "schedule" as const, schedule } : origin) });
              }
            } catch (err) {
              errors.push(`${t.address}: ${err instanceof Error ? err.message : String(err)}`);
            }
          })));
        } finally {
          await conn.close();
        }
        rows.sort((a, b) => a.address.localeCompare(b.address) || a.createdAt.localeCompare(b.createdAt));
        const now = new Date();
        if (out.json) out.stdout.write(JSON.stringify({ formatVersion: 1, snapshots: rows, errors }) + "\n");
        else if (rows.length) out.stdout.write(textTable(["RESOURCE", "SNAPSHOT", "TAKEN", "BY"], rows.map((r) => [{ text: r.address }, { text: r.name }, { text: `${r.createdAt.slice(0, 16).replace("T", " ")}Z (${relativeTime(r.createdAt, now)})` }, { text: byText(r), ...(r.origin === "outside" || r.origin === "other-stack" ? { tone: "dim" as const } : {}) }]), out.color).join("\n") + "\n");
        else if (!errors.length) out.stderr.write(`No snapshots${arg ? ` of ${arg}` : ""}.\n`);
        for (const e of errors) out.stderr.write(`${out.color.red("error:")} ${e}\n`);
        if (errors.length) throw new CommandFailed(`${errors.length} of ${targets.length} could not be listed`, true);
      } finally {
        await ws.store.close();
      }
    });
}
