/**
 * Chooses and opens the state backend of a manifest folder, first match wins:
 *
 * 1. `--state <url>` (a `postgres://` URL, or `file` for the file backend);
 * 2. the `VMSYNC_STATE_URL` environment variable;
 * 3. `state:` in `vmsync.config.yaml` beside the manifests:
 *      state:
 *        url: postgres://vmsync@db.example/vmsync
 *        passwordFile: /run/secrets/vmsync-db     # or passwordEnv: VMSYNC_DB_PASSWORD
 *        schema: vmsync                           # optional, default public
 * 4. the file backend in `.vmsync/`.
 *
 * Passwords never live in that file (a URL there with a password is refused, as inline secrets in
 * manifests are): they come from `passwordFile` / `passwordEnv` (which also apply to a URL from the
 * flag or the environment), from a URL given on the command line or in `VMSYNC_STATE_URL`, or from
 * libpq's `PGPASSWORD` / `~/.pgpass`.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { StateStore } from "./contract.js";
import { FileStateStore, openFileStateStore } from "./file-store.js";
import type { PgLeaderLease, PgLeaderLeaseOptions } from "./postgres/leader-lease.js";
import { PgStateConfigError, resolvePgTarget, type PgPasswordSource } from "./postgres/url.js";

/** The config file read from the manifest folder. */
export const STATE_CONFIG_FILE = "vmsync.config.yaml";

/** What {@link openStateStore} needs. */
export interface OpenStateOptions {
  /** The manifest folder: where `.vmsync/` and `vmsync.config.yaml` are. */
  root: string;
  /** Stack name; the PostgreSQL backend keeps each stack's rows apart. */
  stack: string;
  /**
   * True when the stack was named explicitly (--stack, VMSYNC_STACK): the file backend then keeps
   * that stack's state apart too (`.vmsync/stacks/<name>/`), so two stacks on one folder never share
   * an inventory. The default stack keeps `.vmsync/`.
   */
  explicitStack?: boolean;
  /** The `--state` flag, if given. */
  url?: string;
  env: NodeJS.ProcessEnv;
}

/** The `state:` section of `vmsync.config.yaml`. */
export interface StateConfig extends PgPasswordSource {
  url?: string;
  schema?: string;
}

/** Where the state lives, before anything is opened. */
export type StateBackendChoice =
  | { backend: "file" }
  | { backend: "postgres"; url: string; origin: string; config: StateConfig };

/** Reads the `state:` section of `<root>/vmsync.config.yaml`; `{}` when the file or the section is absent. */
export async function readStateConfig(root: string): Promise<StateConfig> {
  const path = join(root, STATE_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new PgStateConfigError(`${path} is not valid YAML: ${(err as Error).message}`);
  }
  const state = (doc as { state?: unknown } | null)?.state;
  if (state === undefined || state === null) return {};
  if (typeof state !== "object" || Array.isArray(state)) throw new PgStateConfigError(`${path}: state must be a mapping (url, passwordFile or passwordEnv, schema)`);
  const out: StateConfig = {};
  for (const [key, value] of Object.entries(state)) {
    if (!["url", "passwordFile", "passwordEnv", "schema"].includes(key)) {
      throw new PgStateConfigError(`${path}: unknown key state.${key} (expected url, passwordFile, passwordEnv, schema)`);
    }
    if (typeof value !== "string" || value === "") throw new PgStateConfigError(`${path}: state.${key} must be a non-empty string`);
    out[key as keyof StateConfig] = key === "passwordFile" ? resolve(root, value) : value;
  }
  return out;
}

/** Decides the backend from the flag, the environment and the config file (see the module comment). */
export async function chooseStateBackend(opts: OpenStateOptions): Promise<StateBackendChoice> {
  const config = await readStateConfig(opts.root);
  const configPath = join(opts.root, STATE_CONFIG_FILE);
  if (config.url && /:\/\/[^/@]*:[^/@]*@/.test(config.url)) {
    throw new PgStateConfigError(`${configPath}: state.url contains a password; never write it there: use passwordFile or passwordEnv`);
  }
  const pick = (url: string | undefined, origin: string): StateBackendChoice | undefined => {
    if (url === undefined || url === "") return undefined;
    if (url === "file") return { backend: "file" };
    return { backend: "postgres", url, origin, config };
  };
  return pick(opts.url, "--state") ?? pick(opts.env.VMSYNC_STATE_URL, "VMSYNC_STATE_URL") ?? pick(config.url, `state.url in ${configPath}`) ?? { backend: "file" };
}

/** Opens the chosen state store for `opts.stack` (the file backend: only an explicitly named stack gets its own folder). */
export async function openStateStore(opts: OpenStateOptions): Promise<StateStore> {
  const choice = await chooseStateBackend(opts);
  if (choice.backend === "file") return openFileStateStore(opts.root, opts.explicitStack ? { stack: opts.stack } : {});
  const target = await resolvePgTarget(choice.url, choice.config, {
    env: opts.env,
    origin: choice.origin,
    forbidInlinePassword: choice.origin.startsWith("state.url"),
  });
  // the PostgreSQL client is loaded only when the state lives there
  const { openPgStateStore } = await import("./postgres/open.js");
  return openPgStateStore(target, { stack: opts.stack, ...(choice.config.schema ? { schema: choice.config.schema } : {}) });
}

/**
 * For `vmsync watch`: a leader lease on the same database when `store` is PostgreSQL (several
 * daemons may watch the stack), or undefined for the file backend (one daemon: always leader). The
 * lease shares the store's pool: release it before closing the store. Loads the PostgreSQL modules
 * only for a PostgreSQL store.
 */
export async function leaderLeaseFor(store: StateStore, opts?: PgLeaderLeaseOptions): Promise<PgLeaderLease | undefined> {
  if (store instanceof FileStateStore) return undefined;
  const [{ PgStateStore }, { PgLeaderLease }] = await Promise.all([import("./postgres/store.js"), import("./postgres/leader-lease.js")]);
  return store instanceof PgStateStore ? new PgLeaderLease(store.context, opts) : undefined;
}
