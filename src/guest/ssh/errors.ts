import { ProviderError } from "../../providers/contract.js";
import { guestHint } from "../hints.js";

/**
 * Stable codes of what can go wrong reaching or changing a guest. Each names one condition people
 * act on differently: wait (timeout, unreachable), fix credentials (auth), investigate (host key),
 * read the guest's own message (command), free the path (busy), fix the manifest (conflict).
 */
export type GuestErrorCode =
  | "GUEST_TIMEOUT"
  | "GUEST_UNREACHABLE"
  | "GUEST_AUTH_FAILED"
  | "GUEST_HOST_KEY_MISMATCH"
  | "GUEST_NO_ADDRESS"
  | "GUEST_NOT_READY"
  | "GUEST_COMMAND_FAILED"
  | "GUEST_BUSY"
  | "GUEST_CONFLICT"
  | "GUEST_PROTOCOL"
  | "GUEST_BAD_KEY";

/** Transient conditions: the guest may answer later (booting, network). The rest need a person. */
const RETRYABLE = new Set<GuestErrorCode>(["GUEST_TIMEOUT", "GUEST_UNREACHABLE", "GUEST_NO_ADDRESS"]);

/**
 * A failure reaching or changing a guest over SSH. The message starts with what was being done and
 * where ("cannot reach the guest of VirtualMachine/web-1 at 10.0.0.5:22: …") and never holds a key,
 * a passphrase or a file's content. `hint` says what to do about its code (see ../hints.ts).
 */
export class GuestError extends ProviderError {
  declare readonly code: GuestErrorCode;
  readonly hint: string | undefined;
  constructor(message: string, code: GuestErrorCode, cause?: unknown) {
    super(message, { code, retryable: RETRYABLE.has(code), ...(cause !== undefined ? { cause } : {}) });
    this.name = "GuestError";
    this.hint = guestHint(code);
  }
}

/** True when `err` is a GuestError with one of `codes`. */
export function isGuestError(err: unknown, ...codes: GuestErrorCode[]): err is GuestError {
  return err instanceof GuestError && (codes.length === 0 || codes.includes(err.code));
}
