import { basename, dirname, resolve } from "node:path";
import { stat } from "node:fs/promises";
import { ManifestError } from "../manifest/diagnostics.js";
import { loadManifests } from "../manifest/load.js";
import type { DesiredState } from "../manifest/model.js";
import { chooseStateBackend, openStateStore } from "../state/open-store.js";
import { loadParseCache, saveParseCache } from "../state/parse-cache-file.js";
import type { StateStore } from "../state/contract.js";
import { stateSourceOf, type StateSource } from "../state/state-source.js";
import type { CliIO } from "./io.js";
import { renderDiagnostics } from "./render-diagnostics.js";

/**
 * A manifest tree and its state: where the manifests are, the stack name written into ownership
 * markers (the folder's name unless --stack or VMSYNC_STACK says otherwise), and the state store
 * (`.vmsync/` in that folder, or PostgreSQL: --state, VMSYNC_STATE_URL or vmsync.config.yaml).
 */
export interface Workspace {
  paths: string[];
  root: string;
  stack: string;
  desired: DesiredState;
  store: StateStore;
  /** Which state `store` is (recorded in saved plans, so apply uses exactly it). */
  source: StateSource;
}

/** Options shared by the commands that work on a manifest tree. */
export interface WorkspaceOptions {
  stack?: string;
  /** `--state <url>`: where the state lives (see src/state/open-store.ts); default the file backend. */
  state?: string;
  /**
   * Whether the stack counts as explicitly named (its own file-state folder). Default: when `stack`
   * is given or VMSYNC_STACK is set. A saved plan passes what it recorded.
   */
  explicitStack?: boolean;
}

/** The folder holding the state of `paths`: the first path, or its folder when it is a file. */
export async function stateRoot(paths: string[], cwd: string): Promise<string> {
  const first = resolve(cwd, paths[0] ?? ".");
  const info = await stat(first).catch(() => undefined);
  return info?.isFile() ? dirname(first) : first;
}

/** The stack name: explicit, from the environment, or the manifest folder's name. */
export function stackName(root: string, opts: WorkspaceOptions, env: NodeJS.ProcessEnv): string {
  const name = opts.stack ?? env.VMSYNC_STACK ?? basename(root);
  return name.toLowerCase().replace(/[^a-z0-9_.-]/g, "-") || "default";
}

/** Loads and validates manifests (throwing `ManifestError` with every diagnostic) and opens state. */
export async function openWorkspace(paths: string[], opts: WorkspaceOptions, io: CliIO, loadDesired = true): Promise<Workspace> {
  const list = paths.length ? paths : ["."];
  const root = await stateRoot(list, io.cwd);
  const stack = stackName(root, opts, io.env);
  const explicitStack = opts.explicitStack ?? (opts.stack !== undefined || (io.env.VMSYNC_STACK ?? "") !== "");
  let desired: DesiredState = { providers: new Map(), templates: new Map(), resources: [] };
  if (loadDesired) {
    // parsed manifests are kept beside a file state only: with PostgreSQL nothing is written locally
    const local = await usesLocalFiles(root, stack, opts, io.env);
    const parseCache = local ? await loadParseCache(root) : undefined;
    const result = await loadManifests(list, io.cwd, parseCache);
    if (parseCache && result.errors === 0) await saveParseCache(root, parseCache);
    if (result.errors > 0) throw new ManifestError(result.diagnostics);
    if (result.diagnostics.length && !io.json) io.stderr.write(renderDiagnostics(result.diagnostics, io.color));
    desired = result.desired;
  }
  const store = await openStateStore({ root, stack, explicitStack, env: io.env, ...(opts.state ? { url: opts.state } : {}) });
  return { paths: list, root, stack, desired, store, source: stateSourceOf(store, root, stack, explicitStack) };
}

/** True when the state lives in `.vmsync/` (not PostgreSQL), so local caches may be kept there too. */
async function usesLocalFiles(root: string, stack: string, opts: WorkspaceOptions, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    return (await chooseStateBackend({ root, stack, env, ...(opts.state ? { url: opts.state } : {}) })).backend === "file";
  } catch {
    return false; // a bad state setting is reported when the store is opened
  }
}
