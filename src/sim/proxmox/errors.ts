/**
 * Errors the simulated API raises, shaped as PVE's HTTP layer renders them: the first line of the
 * message becomes the HTTP reason phrase, the full text goes into the JSON body as `message`, and
 * parameter errors carry a per-field `errors` map. `bare` marks authentication failures, which PVE
 * answers with an empty body (they bypass the JSON formatter) and `Connection: close`.
 */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
    readonly bare = false,
  ) {
    super(message);
  }
}

/** A plain `die` in a PVE handler: HTTP 500 whose reason is the message (newline appended as Perl does). */
export function fail(message: string): never {
  throw new PveError(500, message.endsWith("\n") ? message : `${message}\n`);
}

/** A 400 `Parameter verification failed.` with the given per-field messages. */
export function paramError(errors: Record<string, string>): never {
  throw new PveError(400, "Parameter verification failed.\n", errors);
}

/**
 * The exact text PVE's lock_file_full produces when the per-guest flock cannot be taken in time
 * (qemu-server locks `/var/lock/qemu-server/lock-<vmid>.conf`, pve-container `/run/lock/lxc/pve-config-<vmid>.lock`).
 */
export function lockTimeoutMessage(vmid: number, type?: "lxc"): string {
  const file = type === "lxc" ? `/run/lock/lxc/pve-config-${vmid}.lock` : `/var/lock/qemu-server/lock-${vmid}.conf`;
  return `can't lock file '${file}' - got timeout`;
}

/** The 500 PVE gives for a guest whose config file does not exist on the addressed node. */
export function noSuchVm(node: string, vmid: number): never {
  fail(`Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
}

/** Text of any thrown value without trailing newlines, inner lines joined with spaces (as a task exitstatus shows it). */
export function errorText(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/\n+$/, "").replace(/\n/g, " ");
}
