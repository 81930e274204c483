import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { registerSnapshotCreate, registerSnapshotRollback } from "./snapshot-change.js";
import { registerSnapshotList } from "./snapshot-list.js";
import { registerSnapshotRun } from "./snapshot-run.js";

/**
 * `vmsync snapshot run|list|create|rollback`: schedule rounds on demand, and snapshots of managed
 * VMs (and TrueNAS shares) taken, listed and rolled back on request — recorded in history.
 */
export function registerSnapshot(program: Command, io: () => CliIO): void {
  const snapshot = program
    .command("snapshot")
    .description("Snapshots of managed VMs and shares: run a schedule now, list, take one on request, roll back")
    .addHelpText("after", "\nExamples:\n  $ vmsync snapshot run nightly\n  $ vmsync snapshot list VirtualMachine/db\n  $ vmsync snapshot create VirtualMachine/db --name before-upgrade\n  $ vmsync snapshot rollback VirtualMachine/db before-upgrade");
  registerSnapshotRun(snapshot, io);
  registerSnapshotList(snapshot, io);
  registerSnapshotCreate(snapshot, io);
  registerSnapshotRollback(snapshot, io);
}
