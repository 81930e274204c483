/**
 * PostgreSQL connection targets: parsing a `postgres://` URL, redacting it for display, and
 * resolving the password from where it is allowed to come from (an environment variable or a file,
 * never a manifest). The password only ever lives inside a {@link PgTarget}'s private field and the
 * `pg` client config built from it; `location` and every error message show the redacted URL.
 */
import { readFile } from "node:fs/promises";
import type { PoolConfig } from "pg";

/** Where the password of a PostgreSQL state comes from (besides libpq's own `PGPASSWORD` / `~/.pgpass`). */
export interface PgPasswordSource {
  /** Name of an environment variable holding the password. */
  passwordEnv?: string;
  /** Path of a file whose content (trailing newline trimmed) is the password. */
  passwordFile?: string;
}

/** A bad or unusable state URL / password setting. Its message never contains the password. */
export class PgStateConfigError extends Error {
  readonly code = "STATE_CONFIG";
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "PgStateConfigError";
  }
}

/** True for the URL schemes the PostgreSQL backend accepts. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

/** `url` with any password replaced by `***` (and nothing else changed); safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, "***");
    return u.toString();
  } catch {
    // unparsable: drop everything between "//" and "@" rather than risk showing a secret
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** A resolved connection target: the redacted URL for display and a `pg` config holding the secret. */
export class PgTarget {
  readonly #connectionString: string;

  /** Use {@link resolvePgTarget}. */
  constructor(
    /** The URL with its password redacted. */
    readonly redacted: string,
    connectionString: string,
  ) {
    this.#connectionString = connectionString;
  }

  /** A `pg` client or pool config for this target; `extra` adds pool or client options. */
  clientConfig(extra: Omit<PoolConfig, "connectionString"> = {}): PoolConfig {
    return { application_name: "vmsync", connectionTimeoutMillis: 10_000, keepAlive: true, ...extra, connectionString: this.#connectionString };
  }

  /** Never shows the password, even through `console.log` or `JSON.stringify`. */
  toJSON(): string {
    return this.redacted;
  }

  toString(): string {
    return this.redacted;
  }
}

/**
 * Parses `url` and attaches the password from `source` (env variable or file). A password written
 * in the URL itself is kept (it comes from a flag or `VMSYNC_STATE_URL`, not from a manifest) unless
 * `forbidInlinePassword` is set, as for URLs read from a config file kept beside the manifests.
 * Without any password pg falls back to `PGPASSWORD` and `~/.pgpass`, as libpq does.
 */
export async function resolvePgTarget(
  url: string,
  source: PgPasswordSource = {},
  opts: { env?: NodeJS.ProcessEnv; forbidInlinePassword?: boolean; origin?: string } = {},
): Promise<PgTarget> {
  const origin = opts.origin ?? "the state URL";
  if (!isPostgresUrl(url)) throw new PgStateConfigError(`${origin} must start with postgres:// or postgresql://, got ${redactUrl(url)}`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new PgStateConfigError(`${origin} is not a valid URL: ${redactUrl(url)}`);
  }
  if (u.password && opts.forbidInlinePassword) {
    throw new PgStateConfigError(
      `${origin} contains a password (${redactUrl(url)}); never write it there: use passwordFile or passwordEnv`,
    );
  }
  const password = await readPassword(source, opts.env ?? process.env, origin);
  if (password !== undefined) u.password = encodeURIComponent(password);
  return new PgTarget(redactUrl(url.trim()), u.toString());
}

async function readPassword(source: PgPasswordSource, env: NodeJS.ProcessEnv, origin: string): Promise<string | undefined> {
  if (source.passwordEnv !== undefined && source.passwordFile !== undefined) {
    throw new PgStateConfigError(`${origin}: give passwordEnv or passwordFile, not both`);
  }
  if (source.passwordEnv !== undefined) {
    const value = env[source.passwordEnv];
    if (value === undefined || value === "") {
      throw new PgStateConfigError(`${origin}: the environment variable ${source.passwordEnv} (passwordEnv) is not set`);
    }
    return value;
  }
  if (source.passwordFile !== undefined) {
    try {
      return (await readFile(source.passwordFile, "utf8")).replace(/\r?\n$/, "");
    } catch (err) {
      throw new PgStateConfigError(`${origin}: cannot read passwordFile ${source.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
  }
  return undefined;
}
