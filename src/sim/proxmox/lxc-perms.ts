import { PveError } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import { mountType } from "./lxc-schema.js";
import type { Caller } from "./tasks.js";
import type { Conf } from "./world.js";

/**
 * The container options PVE reserves for `root@pam` (pve-container `check_ct_modify_config_perm`).
 * The check compares the authenticated user id with `root@pam` literally, so an API token — even one
 * of root@pam (`root@pam!vmsync`, which is what `get_user` returns for it) — is refused:
 * bind and device mount points, device passthrough, hookscripts, feature flags other than `nesting`,
 * and any feature flag of a privileged container. Answer: 403 `Permission check failed (<what>)`.
 * (The simulator's token has all privileges otherwise, like a token without privilege separation.)
 */

/** True for the literal `root@pam` user logged in with a ticket. */
export function isRootPam(caller: Caller): boolean {
  return caller.user === "root@pam" && caller.tokenid === undefined;
}

function denied(what: string): never {
  throw new PveError(403, `Permission check failed (${what})\n`);
}

function features(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    return parsePropertyString(text, null);
  } catch {
    return {};
  }
}

/** Raises the 403 PVE gives when `caller` may not set or delete these options of a container. */
export function checkCtModifyPerms(caller: Caller, old: Conf | undefined, set: Record<string, unknown>, del: string[], unprivileged: boolean): void {
  if (isRootPam(caller)) return;
  const check = (key: string, deleting: boolean) => {
    if (key === "rootfs" || /^mp\d+$/.test(key)) {
      if (deleting) return;
      const type = mountType(parsePropertyString(String(set[key]), "volume").volume ?? "");
      if (type !== "volume") denied(`mount point type ${type} is only allowed for root@pam`);
    } else if (/^dev\d+$/.test(key)) denied("configuring device passthrough is only allowed for root@pam");
    else if (key === "hookscript") denied("changing the hookscript is only allowed for root@pam");
    else if (key === "features") {
      if (!unprivileged) denied("changing feature flags for privileged container is only allowed for root@pam");
      const before = features(old?.features === undefined ? undefined : String(old.features));
      const after = deleting ? {} : features(String(set[key]));
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => (before[f] ?? "") !== (after[f] ?? ""));
      if (changed.some((f) => f !== "nesting")) denied("changing feature flags (except nesting) is only allowed for root@pam");
    }
  };
  for (const key of Object.keys(set)) check(key, false);
  for (const key of del) check(key, true);
}
