import type { DesiredState } from "../manifest/model.js";
import type { StateSnapshot } from "../state/contract.js";

/**
 * What a destroy plan (`vmsync destroy`, `plan --destroy`) plans from: no desired resources, so
 * every resource in the state inventory is planned for deletion through the ordinary rules (deletes
 * only from state, in reverse dependency order, unowned objects blocked), and the state with
 * `protect` also taken from the manifests — a resource protected in its manifest but not yet in
 * state is kept too. The Provider manifests stay: they say how to reach what is deleted. Pure.
 */
export function destroyView(desired: DesiredState, state: StateSnapshot): { desired: DesiredState; state: StateSnapshot } {
  const protectedInManifests = new Set(desired.resources.filter((r) => r.lifecycle.protect).map((r) => r.address));
  const resources = Object.fromEntries(
    Object.entries(state.resources).map(([address, record]) => [address, protectedInManifests.has(address) && !record.protect ? { ...record, protect: true } : record]),
  );
  return { desired: { ...desired, resources: [] }, state: { ...state, resources } };
}

/** Why a resource is deleted, and the note for one kept, in a destroy plan. */
export const DESTROY_TEXT = {
  reason: "vmsync destroy: every resource the stack manages is deleted",
  kept: (address: string) => `${address} is protected (protect: true): destroy keeps it. Set protect: false and apply first to delete it, or \`vmsync state rm ${address}\` to stop managing it.`,
};
