/**
 * What is mounted right now, from `findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS` (util-linux): one
 * line per mount, raw mode, so whitespace inside a field is written as `\x20`.
 */

/** One live mount. */
export interface LiveMount {
  target: string;
  source: string;
  fstype: string;
  options: string;
}

/** The findmnt arguments vmsync runs; the simulated guests answer exactly these. */
export const FINDMNT_ARGS = ["findmnt", "-rn", "-o", "TARGET,SOURCE,FSTYPE,OPTIONS"] as const;

function unescapeHex(field: string): string {
  return field.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Parses findmnt's raw output; the last mount on a target wins (it hides the ones below it). */
export function parseFindmnt(output: string): Map<string, LiveMount> {
  const out = new Map<string, LiveMount>();
  for (const line of output.split("\n")) {
    const f = line.trim().split(" ");
    if (f.length < 3) continue;
    const m = { target: unescapeHex(f[0]!), source: unescapeHex(f[1]!), fstype: f[2]!, options: f[3] ?? "" };
    out.set(m.target, m);
  }
  return out;
}

/** True for the NFS file system types (`nfs`, `nfs4`). */
export function isNfs(fstype: string): boolean {
  return fstype === "nfs" || fstype === "nfs4";
}
