/** Default share of managed resources a plan may delete without --allow-mass-delete. */
export const DEFAULT_MASS_DELETE_SHARE = 0.5;

/**
 * The mass-deletion guard. A plan is refused when it would delete every managed resource (as when
 * the manifest folder is empty or the wrong one), or more than `share` of them with at least three
 * deletions, unless `allowed`. Returns the refusal message, or undefined.
 */
export function applyMassDeleteGuard(deletes: number, managed: number, allowed: boolean, share: number): string | undefined {
  if (allowed || deletes === 0 || managed === 0) return undefined;
  const all = deletes >= managed;
  if (!all && !(deletes >= 3 && deletes / managed > share)) return undefined;
  const what = all ? `every managed resource (${deletes})` : `${deletes} of ${managed} managed resources (more than ${Math.round(share * 100)}%)`;
  return `refusing to delete ${what}: check that you pointed vmsync at the right manifests; if this is intended, run again with --allow-mass-delete`;
}
