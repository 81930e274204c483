import { relative } from "node:path";
import type { StateStore } from "./contract.js";
import { FileStateStore } from "./file-store.js";
import type { PgStateStore } from "./postgres/store.js";

/**
 * Which state a plan was made from, recorded in saved plans so that `vmsync apply plan.json` uses
 * exactly that state and no other (a different file, stack or database would record the apply where
 * the next plan never looks). Never holds a secret: a PostgreSQL URL is kept without its password.
 */
export interface StateSource {
  backend: "file" | "postgres";
  /** The stack name (ownership markers, the PostgreSQL rows, and the file backend's folder when explicit). */
  stack: string;
  /** True when the stack was named explicitly (--stack, VMSYNC_STACK): the file backend then uses `.vmsync/stacks/<name>/`. */
  explicitStack: boolean;
  /**
   * file: the state file relative to the manifest folder (`.vmsync/state.json`); postgres: the URL
   * without a password, the stack and the schema.
   */
  location: string;
}

/** The source of an open store, for a manifest folder `root`. */
export function stateSourceOf(store: StateStore, root: string, stack: string, explicitStack: boolean): StateSource {
  if (store instanceof FileStateStore) return { backend: "file", stack, explicitStack, location: relative(root, store.statePath) };
  // a PostgreSQL store, recognised by its context (not instanceof: that would load the PostgreSQL client into every command)
  const ctx = (store as Partial<Pick<PgStateStore, "context">>).context;
  if (ctx?.target && ctx.tables) {
    return { backend: "postgres", stack, explicitStack, location: `${withoutPassword(ctx.target.redacted)} (stack ${ctx.stack}, schema ${ctx.tables.schema})` };
  }
  return { backend: "file", stack, explicitStack, location: store.location };
}

/** True when two sources name the same state. */
export function sameStateSource(a: StateSource, b: StateSource): boolean {
  return a.backend === b.backend && a.stack === b.stack && a.location === b.location;
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1@");
  }
}
