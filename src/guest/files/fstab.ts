/**
 * /etc/fstab lines (fstab(5)): six whitespace-separated fields, `#` starts a comment line, spaces
 * inside a field are written as `\040` (octal escapes). vmsync writes NFS lines
 * `SOURCE TARGET nfs OPTIONS 0 0` for its mounts.
 */

/** One fstab entry; `line` is its 1-based line number in the file it came from. */
export interface FstabEntry {
  source: string;
  target: string;
  fstype: string;
  options: string;
  line: number;
}

/** Decodes fstab/mtab octal escapes (`\040` is a space). */
export function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses entry lines; comments, blank and malformed lines are skipped. `lineNumbers` maps list index → file line. */
export function parseFstab(lines: string[], lineNumbers?: number[]): FstabEntry[] {
  const out: FstabEntry[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) return;
    const f = text.split(/\s+/);
    if (f.length < 2) return;
    out.push({ source: unescapeOctal(f[0]!), target: unescapeOctal(f[1]!), fstype: f[2] ?? "auto", options: f[3] ?? "defaults", line: lineNumbers?.[i] ?? i + 1 });
  });
  return out;
}

/** The fstab line of an NFS mount vmsync manages. Fields never contain whitespace (the schema forbids it). */
export function nfsLine(m: { source: string; target: string; options: string }): string {
  return `${m.source} ${m.target} nfs ${m.options} 0 0`;
}
