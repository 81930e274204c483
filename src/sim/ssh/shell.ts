import { FsError, GuestFs } from "./guest-fs.js";
import type { LiveMountRecord } from "./guest-world.js";
import { splitWords } from "./shell-parse.js";

/** What a command sees of its guest: the file system, who runs it, the mount table, busy paths. */
export interface ShellContext {
  fs: GuestFs;
  user: string;
  home: string;
  /** Whether `user` may `sudo -n`. */
  sudoer: boolean;
  mounts: LiveMountRecord[];
  /** Mount points a process holds (a shell with its working directory there, open files). */
  busy: Set<string>;
  /** Whether the NFS server lets this guest mount `source`; a reason when it does not. */
  nfsAccess(source: string): true | string;
  changed(): void;
}

/** What a command did. */
export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Command = (args: string[], stdin: string, ctx: ShellContext, user: string) => ShellResult;

const ok = (stdout = ""): ShellResult => ({ code: 0, stdout, stderr: "" });
const err = (code: number, stderr: string): ShellResult => ({ code, stdout: "", stderr: stderr.endsWith("\n") ? stderr : `${stderr}\n` });

/**
 * The shell of a simulated guest: exactly the commands vmsync sends (see src/guest/shell.ts), with
 * the arguments it uses, their exit codes and their messages as coreutils/util-linux print them.
 * `sudo -n` runs the rest as root for sudoers and fails without a terminal for anyone else.
 */
export function runCommand(line: string, stdin: string, ctx: ShellContext): ShellResult {
  const words = splitWords(line);
  if (!Array.isArray(words)) return err(2, `sh: 1: ${words.error}`);
  let user = ctx.user;
  let args = words;
  if (args[0] === "sudo") {
    if (args[1] !== "-n") return err(1, "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper");
    if (user !== "root" && !ctx.sudoer) return err(1, "sudo: a password is required");
    user = "root";
    args = args.slice(2);
  }
  const name = args[0];
  if (name === undefined) return ok();
  const command = COMMANDS[name];
  if (!command) return err(127, `sh: 1: ${name}: not found`);
  return command(args.slice(1), stdin, ctx, user);
}

const at = (ctx: ShellContext, p: string) => GuestFs.normalise(p, ctx.home);

const COMMANDS: Record<string, Command> = {
  cat: (args, _in, ctx, user) => {
    let out = "";
    for (const p of args) {
      try {
        out += ctx.fs.read(at(ctx, p), user);
      } catch (e) {
        return { code: 1, stdout: out, stderr: `cat: ${p}: ${(e as Error).message}\n` };
      }
    }
    return ok(out);
  },
  test: (args, _in, ctx) => (args[0] === "-e" && args[1] !== undefined && ctx.fs.node(at(ctx, args[1])) ? ok() : { code: 1, stdout: "", stderr: "" }),
  findmnt: (args, _in, ctx) => {
    if (args.join(" ") !== "-rn -o TARGET,SOURCE,FSTYPE,OPTIONS") return err(1, `findmnt: this simulated guest answers only findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS`);
    const raw = (s: string) => s.replace(/ /g, "\\x20");
    const rows = [{ target: "/", source: "/dev/sda1", fstype: "ext4", options: "rw,relatime,discard,errors=remount-ro,commit=30" }, ...ctx.mounts];
    return ok(rows.map((m) => `${raw(m.target)} ${raw(m.source)} ${m.fstype} ${m.options}\n`).join(""));
  },
  mkdir: (args, _in, ctx, user) => {
    if (args[0] !== "-p" || args.length !== 2) return err(1, "mkdir: this simulated guest answers only mkdir -p DIR");
    try {
      ctx.fs.mkdirP(at(ctx, args[1]!), user);
      ctx.changed();
      return ok();
    } catch (e) {
      return err(1, `mkdir: cannot create directory '${args[1]}': ${(e as Error).message}`);
    }
  },
  chmod: (args, _in, ctx, user) => {
    const [mode, path] = args;
    if (!mode || !path || !/^[0-7]{3,4}$/.test(mode)) return err(1, "chmod: this simulated guest answers only chmod OCTAL PATH");
    try {
      ctx.fs.chmod(at(ctx, path), parseInt(mode, 8), user);
      ctx.changed();
      return ok();
    } catch (e) {
      const reason = (e as FsError).reason;
      return err(1, reason === "ENOENT" ? `chmod: cannot access '${path}': No such file or directory` : `chmod: changing permissions of '${path}': Operation not permitted`);
    }
  },
  tee: (args, stdin, ctx, user) => {
    const path = args[0];
    if (!path || args.length !== 1) return err(1, "tee: this simulated guest answers only tee FILE");
    try {
      ctx.fs.write(at(ctx, path), stdin, user);
      ctx.changed();
      return ok(stdin);
    } catch (e) {
      return { code: 1, stdout: stdin, stderr: `tee: ${path}: ${(e as Error).message}\n` };
    }
  },
  mv: (args, _in, ctx, user) => {
    if (args[0] !== "-f" || args.length !== 3) return err(1, "mv: this simulated guest answers only mv -f FROM TO");
    try {
      ctx.fs.rename(at(ctx, args[1]!), at(ctx, args[2]!), user);
      ctx.changed();
      return ok();
    } catch (e) {
      return err(1, (e as FsError).reason === "ENOENT" ? `mv: cannot stat '${args[1]}': No such file or directory` : `mv: cannot move '${args[1]}' to '${args[2]}': ${(e as Error).message}`);
    }
  },
  rm: (args, _in, ctx, user) => {
    if (args[0] !== "-f" || args.length !== 2) return err(1, "rm: this simulated guest answers only rm -f FILE");
    try {
      ctx.fs.remove(at(ctx, args[1]!), user);
      ctx.changed();
      return ok();
    } catch (e) {
      return err(1, `rm: cannot remove '${args[1]}': ${(e as Error).message}`);
    }
  },
  mount: (args, _in, ctx, user) => mount(args, ctx, user),
  umount: (args, _in, ctx, user) => {
    const target = args.length === 1 ? at(ctx, args[0]!) : undefined;
    if (!target) return err(1, "umount: this simulated guest answers only umount PATH");
    if (user !== "root") return err(32, `umount: ${target}: must be superuser to unmount.`);
    const i = ctx.mounts.findIndex((m) => m.target === target);
    if (i < 0) return err(32, `umount: ${target}: not mounted.`);
    if ([...ctx.busy].some((b) => b === target || b.startsWith(`${target}/`))) return err(32, `umount: ${target}: target is busy.`);
    ctx.mounts.splice(i, 1);
    ctx.changed();
    return ok();
  },
};

/** `mount PATH`: mounts what /etc/fstab says for PATH (NFS only in the simulated image). */
function mount(args: string[], ctx: ShellContext, user: string): ShellResult {
  const target = args.length === 1 ? at(ctx, args[0]!) : undefined;
  if (!target) return err(1, "mount: this simulated guest answers only mount PATH (from /etc/fstab)");
  if (user !== "root") return err(1, `mount: ${target}: must be superuser to use mount.`);
  let fstab = "";
  try {
    fstab = ctx.fs.read("/etc/fstab", "root");
  } catch {
    // no fstab: nothing to find
  }
  const entry = fstab.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/)).reverse().find((f) => f[1] === target);
  if (!entry) return err(1, `mount: ${target}: can't find in /etc/fstab.`);
  const [source, , fstype, options = "defaults"] = entry as [string, string, string, string?];
  if (fstype !== "nfs" && fstype !== "nfs4") return err(32, `mount: ${target}: unknown filesystem type '${fstype}'.`);
  if (ctx.fs.node(target)?.type !== "dir") return err(32, `mount: ${target}: mount point does not exist.`);
  if (ctx.mounts.some((m) => m.target === target && m.source === source)) return err(32, `mount: ${target}: ${source} already mounted on ${target}.`);
  const access = ctx.nfsAccess(source);
  if (access !== true) return err(32, `mount.nfs: ${access} while mounting ${source}`);
  const v3 = /(^|,)(vers|nfsvers)=3(,|$)/.test(options);
  ctx.mounts.push({ target, source, fstype: v3 ? "nfs" : "nfs4", options: kernelOptions(options, v3) });
  ctx.changed();
  return ok();
}

/** The options the kernel reports for an NFS mount: the given ones with its defaults filled in. */
function kernelOptions(given: string, v3: boolean): string {
  const mine = given.split(",").filter((o) => o && o !== "defaults" && o !== "_netdev" && o !== "nofail" && o !== "auto");
  const defaults = [v3 ? "vers=3" : "vers=4.2", "rsize=1048576", "wsize=1048576", "namlen=255", "hard", "proto=tcp", "timeo=600", "retrans=2", "sec=sys"];
  const keyOf = (o: string) => o.split("=")[0];
  const merged = [...mine, ...defaults.filter((d) => !mine.some((m) => keyOf(m) === keyOf(d) || (keyOf(d) === "vers" && keyOf(m) === "nfsvers")))];
  return ["rw", "relatime", ...merged.filter((o) => o !== "rw" && o !== "relatime")].join(",");
}
