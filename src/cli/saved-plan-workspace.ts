import type { Plan } from "../reconcile/plan-types.js";
import { sameStateSource } from "../state/state-source.js";
import { UsageError } from "./errors.js";
import type { CliIO } from "./io.js";
import { chooseStateBackend } from "../state/open-store.js";
import { openWorkspace, stateRoot, type Workspace } from "./workspace.js";

/**
 * Opens the workspace a saved plan was made from: its manifests, and exactly its state — the same
 * backend, stack and location (`plan.stateSource`). The stack is the plan's (explicit only if it was
 * explicit then); `--state` still says how to reach a database (its password stays out of plans).
 * Anything that would lead to another state is refused, naming both, before anything is read.
 */
export async function openSavedPlanWorkspace(file: string, saved: Plan, flags: { stack?: string; state?: string }, io: CliIO): Promise<Workspace> {
  const source = saved.stateSource;
  if (flags.stack !== undefined && flags.stack !== saved.stack) {
    throw new UsageError(`${file} was made from stack "${saved.stack}"; it cannot be applied with --stack ${flags.stack}`, `Drop --stack (the plan's stack is used), or make a new plan with --stack ${flags.stack}.`);
  }
  const mismatch = (location: string, backend: string, stack: string) =>
    new UsageError(
      `${file} was made from the state at ${source!.location} (${source!.backend}, stack "${source!.stack}"), but this run would use ${location} (${backend}, stack "${stack}")`,
      "Apply it with the same state settings as the plan (--state, VMSYNC_STATE_URL, vmsync.config.yaml), or make a new plan here.",
    );
  if (source) {
    // decided before anything is opened: a plan made from files never connects to a database, and back
    const choice = await chooseStateBackend({ root: await stateRoot(saved.manifests ?? ["."], io.cwd), stack: saved.stack, env: io.env, ...(flags.state ? { url: flags.state } : {}) });
    if (choice.backend !== source.backend) throw mismatch(choice.backend === "postgres" ? `${choice.origin}` : ".vmsync/", choice.backend, saved.stack);
  }
  const ws = await openWorkspace(saved.manifests ?? ["."], {
    stack: saved.stack,
    explicitStack: source?.explicitStack ?? (flags.stack !== undefined || (io.env.VMSYNC_STACK ?? "") !== ""),
    ...(flags.state ? { state: flags.state } : {}),
  }, io);
  if (source && !sameStateSource(source, ws.source)) {
    await ws.store.close();
    throw mismatch(ws.source.location, ws.source.backend, ws.source.stack);
  }
  return ws;
}
