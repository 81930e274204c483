import type { Provider } from "../providers/contract.js";
import { ProviderError } from "../providers/contract.js";
import { asCanonical, canonicalGuest, GUEST_SENSITIVE } from "./canonical.js";
import { diffGuest } from "./diff.js";

/**
 * The guest layer as a provider: its pure parts (canonical spec, diff, sensitive paths) serve the
 * planner like any provider's. It has no Provider manifest, so it is not connected through
 * `connect`: `connectProviders` opens a {@link GuestSession} when the run has guest resources.
 * Its objects live inside their VM (`followsParent`): a VM the plan creates or replaces gets its
 * guest set up again after it.
 */
export const guestProvider: Provider = {
  type: "guest",
  followsParent: true,
  connect: () => Promise.reject(new ProviderError("the guest layer has no Provider manifest; it is opened with the run's other sessions", { code: "GUEST_NO_CONNECT", retryable: false })),
  canonicalize: (r) => asCanonical(canonicalGuest(r)),
  diff: (_kind, desired, observed) => diffGuest(desired, observed),
  sensitivePaths: () => [...GUEST_SENSITIVE],
};
