import { posix } from "node:path";
import { GuestError } from "./ssh/errors.js";
import type { SshConnection } from "./ssh/connect.js";
import { commandLine } from "./ssh/quote.js";

/**
 * Where the files vmsync edits are in a guest and whether root's commands need `sudo -n` (any user
 * but root: cloud images give their default user passwordless sudo). Tests against a real sshd
 * point the files into a private temporary folder.
 */
export interface GuestLayout {
  fstab: string;
  /** Relative paths are relative to the login user's home (where an SSH command starts). */
  authorizedKeys: string;
  sudo: boolean;
}

/** The layout of a real guest for `user`. */
export function layoutFor(user: string): GuestLayout {
  return { fstab: "/etc/fstab", authorizedKeys: ".ssh/authorized_keys", sudo: user !== "root" };
}

/**
 * The commands vmsync sends to a guest, and nothing else (the simulated guests implement exactly
 * these): `cat`, `test -e`, `findmnt`, `mkdir -p`, `chmod`, `tee`, `mv -f`, `rm -f`, `mount`,
 * `umount` — each one command line of quoted arguments, never a shell script, `sudo -n` in front of
 * the ones that need root. A command that fails is a GUEST_COMMAND_FAILED naming the command, its
 * exit code and its own message.
 */
export class GuestShell {
  constructor(readonly conn: SshConnection, readonly layout: GuestLayout, readonly what: string) {}

  /** Runs `args` (as root when `root`), returning stdout; a non-zero exit throws. */
  async run(args: string[], opts: { root?: boolean; stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    const argv = opts.root && this.layout.sudo ? ["sudo", "-n", ...args] : args;
    const line = commandLine(argv);
    const r = await this.conn.exec(line, { ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    if (r.code !== 0) throw new GuestError(`\`${line}\` failed on ${this.what} (exit ${r.code ?? "by signal"}): ${firstLines(r.stderr) || "no message"}`, "GUEST_COMMAND_FAILED");
    return r.stdout;
  }

  /** A file's content, or "" when it does not exist. */
  async read(path: string, root = false): Promise<string> {
    const line = commandLine(root && this.layout.sudo ? ["sudo", "-n", "cat", path] : ["cat", path]);
    const r = await this.conn.exec(line);
    if (r.code === 0) return r.stdout;
    const exists = await this.conn.exec(commandLine(root && this.layout.sudo ? ["sudo", "-n", "test", "-e", path] : ["test", "-e", path]));
    if (exists.code === 1) return "";
    throw new GuestError(`\`${line}\` failed on ${this.what} (exit ${r.code ?? "by signal"}): ${firstLines(r.stderr) || "no message"}`, "GUEST_COMMAND_FAILED");
  }

  /**
   * Replaces a file atomically: the content goes to a temporary file beside it (`tee`), gets its
   * mode, and is renamed over the file (`mv -f`, one rename(2)). A failure half-way leaves the
   * file as it was (the temporary file is removed when possible).
   */
  async writeAtomic(path: string, content: string, mode: string, root = false): Promise<void> {
    const tmp = posix.join(posix.dirname(path), `.${posix.basename(path)}.vmsync-tmp`);
    try {
      await this.run(["tee", tmp], { root, stdin: content });
      await this.run(["chmod", mode, tmp], { root });
      await this.run(["mv", "-f", tmp, path], { root });
    } catch (err) {
      await this.conn.exec(commandLine(root && this.layout.sudo ? ["sudo", "-n", "rm", "-f", tmp] : ["rm", "-f", tmp])).catch(() => undefined);
      throw err;
    }
  }
}

/** The first lines of a command's message, trimmed: enough to say why, never a whole dump. */
function firstLines(text: string): string {
  return text.trim().split("\n").slice(0, 3).join(" / ");
}
