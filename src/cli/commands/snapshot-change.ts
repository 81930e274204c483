import type { Command } from "commander";
import type { ListedSnapshot } from "../../providers/contract.js";
import { adHocNameProblem } from "../../reconcile/snapshots.js";
import type { ResourceRecord } from "../../state/contract.js";
import { confirmApply } from "../confirm.js";
import { connectProviders } from "../connect.js";
import { UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { resolveManaged } from "../managed-targets.js";
import { runResourceAction } from "../resource-action.js";
import { openWorkspace, type Workspace } from "../workspace.js";

interface Common {
  dir: string;
  stack?: string;
  state?: string;
}

const KINDS = ["VirtualMachine", "Container", "NfsShare"];

/** The one managed resource `arg` names (a bare name matching several kinds is ambiguous). */
async function oneTarget(ws: Workspace, arg: string): Promise<ResourceRecord> {
  const hits = resolveManaged(await ws.store.read(), { names: [arg], globs: [] }, KINDS);
  if (hits.length > 1) throw new UsageError(`"${arg}" names ${hits.map((h) => h.address).join(" and ")}`, "Give the address, e.g. VirtualMachine/NAME.");
  return hits[0]!;
}

/** The target's snapshots as its provider lists them (one call). */
async function listed(ws: Workspace, out: CliIO, t: ResourceRecord): Promise<ListedSnapshot[]> {
  const conn = await connectProviders([t.provider], ws.desired, { stack: ws.stack, env: out.env });
  try {
    const snaps = conn.sessions.get(t.provider)?.snapshots;
    if (!snaps) throw new UsageError(`provider "${t.provider}" has no snapshots`);
    return await snaps.list({ kind: t.kind as "VirtualMachine", externalId: t.externalId });
  } finally {
    await conn.close();
  }
}

const common = (c: Command) =>
  c
    .option("-C, --dir <path>", "the manifest folder (or file) whose providers and state to use", ".")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)");

/**
 * `vmsync snapshot create ADDR --name N`: a snapshot on request, marked with the stack. Its name can
 * never match a schedule's pattern, so no schedule ever prunes it: only people delete it.
 */
export function registerSnapshotCreate(snapshot: Command, io: () => CliIO): void {
  common(
    snapshot
      .command("create")
      .description("Take a snapshot of a managed VM (or TrueNAS share) now; schedules never prune it")
      .argument("<address>", "VirtualMachine/NAME, Container/NAME, NfsShare/NAME or NAME")
      .requiredOption("--name <name>", "the snapshot's name: 2–40 letters, digits, - or _, starting with a letter"),
  )
    .addHelpText("after", "\nExamples:\n  $ vmsync snapshot create VirtualMachine/db --name before-upgrade\n  $ vmsync snapshot list VirtualMachine/db")
    .action(async (arg: string, flags: Common & { name: string }) => {
      const out = io();
      const problem = adHocNameProblem(flags.name);
      if (problem) throw new UsageError(problem);
      const ws = await openWorkspace([flags.dir], flags, out);
      try {
        const t = await oneTarget(ws, arg);
        if ((await listed(ws, out, t)).some((s) => s.name === flags.name)) throw new UsageError(`${t.address} already has a snapshot named "${flags.name}"`, "Choose another name (`vmsync snapshot list` shows the taken ones).");
        await runResourceAction({
          ws, out, command: `snapshot create ${t.address} ${flags.name}`, action: "snapshot", targets: [t],
          fn: async (session, r, ctx) => {
            await session.snapshots!.create({ kind: r.kind as "VirtualMachine", externalId: r.externalId }, flags.name, ctx);
            return `took snapshot ${flags.name}`;
          },
        });
      } finally {
        await ws.store.close();
      }
    });
}

/**
 * `vmsync snapshot rollback ADDR NAME`: returns a managed VM (or TrueNAS share) to a snapshot after
 * confirmation (`--auto-approve` off a terminal). Refused for protected resources unless `--force`.
 */
export function registerSnapshotRollback(snapshot: Command, io: () => CliIO): void {
  common(
    snapshot
      .command("rollback")
      .description("Roll a managed VM (or TrueNAS share) back to a snapshot; asks first; refused for protected resources without --force")
      .argument("<address>", "VirtualMachine/NAME, Container/NAME, NfsShare/NAME or NAME")
      .argument("<snapshot>", "the snapshot's name (vmsync snapshot list shows them)")
      .option("--auto-approve", "do not ask for confirmation (required when not on a terminal)")
      .option("--force", "roll back even a protected resource (protect: true)"),
  )
    .addHelpText("after", "\nExamples:\n  $ vmsync snapshot rollback VirtualMachine/web-1 before-upgrade\n  $ vmsync snapshot rollback VirtualMachine/db before-upgrade --force --auto-approve   # db is protected")
    .action(async (arg: string, name: string, flags: Common & { autoApprove?: boolean; force?: boolean }) => {
      const out = io();
      const ws = await openWorkspace([flags.dir], flags, out);
      try {
        const t = await oneTarget(ws, arg);
        if (ws.desired.providers.get(t.provider)?.spec.type === "azure") {
          throw new UsageError(`${t.address} is on Azure, which has no in-place rollback: vmsync does not roll Azure VMs back (yet)`, "Create a disk from the snapshot (az disk create --source SNAPSHOT_ID), stop the VM and swap its OS disk (az vm update --os-disk DISK); `vmsync snapshot list` shows the snapshots.");
        }
        const protectedNow = t.protect || ws.desired.resources.some((r) => r.address === t.address && r.lifecycle.protect);
        if (protectedNow && !flags.force) throw new UsageError(`${t.address} is protected (protect: true): vmsync does not roll it back`, "If you mean it, run again with --force.");
        const snaps = await listed(ws, out, t);
        const snap = snaps.find((s) => s.name === name);
        if (!snap) throw new UsageError(`${t.address} has no snapshot named "${name}"`, snaps.length ? `It has: ${snaps.map((s) => s.name).join(", ")}.` : "It has no snapshots.");
        if (!out.json) {
          out.stdout.write(`${out.color.bold(`${t.address} (${t.externalId}) will be rolled back to snapshot ${name}`)}, taken ${snap.createdAt}.\n`);
          out.stdout.write(`  Everything written since is lost. A running VM is stopped and started again.${protectedNow ? out.color.red(" It is protected (--force).") : ""}\n`);
        }
        if (!(await confirmApply(out, flags.autoApprove === true))) return void out.stdout.write("Rollback cancelled.\n");
        await runResourceAction({
          ws, out, command: `snapshot rollback ${t.address} ${name}${flags.force ? " --force" : ""}`, action: "rollback", targets: [t],
          fn: async (session, r, ctx) => {
            const snapshots = session.snapshots!;
            if (!snapshots.rollback) throw new Error(`provider "${r.provider}" cannot roll back snapshots`);
            await snapshots.rollback({ kind: r.kind as "VirtualMachine", externalId: r.externalId }, name, ctx);
            return `rolled back to ${name}`;
          },
        });
        if (!out.json) out.stdout.write("Run `vmsync plan` to see how it now differs from the manifests.\n");
      } finally {
        await ws.store.close();
      }
    });
}
