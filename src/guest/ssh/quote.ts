/**
 * Quotes one argument for the POSIX shell that runs an SSH exec request on the guest: wrapped in
 * single quotes, embedded single quotes closed, escaped and reopened. Arguments that need no quoting
 * (letters, digits and `/._-+=:,@%`) are left as they are so that commands stay readable in logs.
 */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9/._\-+=:,@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argument list, every argument quoted: the only way vmsync builds guest commands. */
export function commandLine(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}
