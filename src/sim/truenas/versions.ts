/**
 * Version personas of the TrueNAS middleware. Each persona is a set of feature switches taken from
 * the version matrix in shared/reference/truenas-api.md (§0, §1, §3, §4, §6, §7); the rest of the
 * simulator asks the persona instead of comparing version strings.
 */

/** The release lines the simulator can imitate. */
export type ReleaseLine = "24.04" | "24.10" | "25.04" | "25.10";

/** Feature switches of one imitated middleware version. */
export interface Persona {
  /** The imitated version, e.g. "25.10.1". */
  version: string;
  line: ReleaseLine;
  /** `/api/current` JSON-RPC 2.0 transport (25.04+). */
  jsonRpc: boolean;
  /** `auth.login_ex`, `auth.login_ex_continue`, `auth.mechanism_choices` (25.04+). */
  loginEx: boolean;
  /** libvirt `vm.*` / `vm.device.*` (absent on 25.04.0 and 25.04.1). */
  vmApi: boolean;
  /** Device entries carry `attributes.dtype` (25.04.2+) instead of a top-level `dtype` (≤24.10). */
  dtypeInAttributes: boolean;
  /** Pydantic-style validation messages and strict types (25.04+) vs the old `@accepts` schema (≤24.10). */
  pydantic: boolean;
  /** One-off snapshots under `pool.snapshot.*` (25.10+) instead of `zfs.snapshot.*`. */
  poolSnapshot: boolean;
  /** `service.control` job (25.10+). */
  serviceControl: boolean;
  /** `core.set_options({legacy_jobs})` and new-style jobs (25.10+). */
  legacyJobsOption: boolean;
  /** Allowed DISPLAY device types. */
  displayTypes: readonly string[];
  /** CDROM path pattern of the device model. */
  cdromPattern: string;
  /** `system.product_type`. */
  productType: "SCALE" | "COMMUNITY_EDITION";
  /** `system.version` string. */
  versionString: string;
  /** A NIC created without `mac` gets a generated, persisted MAC (25.10+); older keep null. */
  macOnCreate: boolean;
  /** `sharing.nfs.delete` returns `true` (25.04+) or `null` (24.10). */
  nfsDeleteReturnsTrue: boolean;
  /** The NFS share model has `expose_snapshots` and rejects a null `comment` (25.04+). */
  nfsExposeSnapshots: boolean;
  /** `vm.update` rejects `bootloader_ovmf` / `enable_secure_boot` (25.10). */
  vmUpdateExcludesOvmf: boolean;
  /** VM model has `enable_secure_boot` (25.04.2+). */
  secureBoot: boolean;
}

/** The version started when none is given. */
export const DEFAULT_VERSION = "25.10.1";

/**
 * Builds the persona for a version string like "24.10.2" or "25.10.1" (a "TrueNAS-" / "TS-" prefix
 * is tolerated). Throws for release lines the simulator does not imitate.
 */
export function personaFor(version: string): Persona {
  const clean = version.replace(/^(TrueNAS-SCALE-|TrueNAS-|TS-)/, "");
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(clean);
  if (!m) throw new Error(`unsupported TrueNAS version ${JSON.stringify(version)}`);
  const line = `${m[1]}.${m[2]}`;
  const patch = Number(m[3] ?? 0);
  if (line !== "24.04" && line !== "24.10" && line !== "25.04" && line !== "25.10") {
    throw new Error(`unsupported TrueNAS version ${version}: the simulator imitates 24.04, 24.10, 25.04 and 25.10`);
  }
  const v25 = line.startsWith("25.");
  const v2510 = line === "25.10";
  return {
    version: clean,
    line,
    jsonRpc: v25,
    loginEx: v25,
    vmApi: !(line === "25.04" && patch < 2),
    dtypeInAttributes: v25,
    pydantic: v25,
    poolSnapshot: v2510,
    serviceControl: v2510,
    legacyJobsOption: v2510,
    displayTypes: v2510 ? ["SPICE", "VNC"] : ["SPICE"],
    cdromPattern: v2510 ? "^[^{}]*$" : "^/mnt/[^{}]*$",
    productType: v25 ? "COMMUNITY_EDITION" : "SCALE",
    versionString: v25 ? `TrueNAS-${clean}` : `TrueNAS-SCALE-${clean}`,
    macOnCreate: v2510,
    nfsDeleteReturnsTrue: v25,
    nfsExposeSnapshots: v25,
    vmUpdateExcludesOvmf: v2510,
    secureBoot: v25,
  };
}
