/**
 * The ownership marker in TrueNAS text fields (VM `description`, NFS share `comment`, dataset
 * `comments`, and a user property of the dataset for snapshot tasks). Format: one line
 *
 *     vmsync:stack=<stack> address=<address>[ <key>=<value>…]
 *
 * appended after any text the user keeps there. Values escape `%`, spaces and line breaks as
 * `%25`, `%20`, `%0A`. Extra keys carry facts vmsync needs to read back (e.g. `display-password`,
 * the reference of the VM's display password — a name, never the secret).
 */
import type { OwnershipMarker } from "../contract.js";

const PREFIX = "vmsync:";

const esc = (v: string) => v.replace(/%/g, "%25").replace(/ /g, "%20").replace(/\r?\n/g, "%0A");
const unesc = (v: string) => v.replace(/%0A/g, "\n").replace(/%20/g, " ").replace(/%25/g, "%");

/** The marker line for `m` with optional extra facts (sorted by key). */
export function markerLine(m: OwnershipMarker, extra: Record<string, string> = {}): string {
  const tail = Object.keys(extra).sort().map((k) => ` ${k}=${esc(extra[k]!)}`).join("");
  return `${PREFIX}stack=${esc(m.stack)} address=${esc(m.address)}${tail}`;
}

/** A text field split into the user's part, the marker and the marker's extra facts. */
export interface ParsedText {
  text: string;
  marker?: OwnershipMarker;
  extra: Record<string, string>;
}

/** Splits a text field: the last marker line wins; other lines are the user's text. */
export function parseMarked(value: unknown): ParsedText {
  const lines = typeof value === "string" ? value.split("\n") : [];
  const i = lines.findLastIndex((l) => l.startsWith(`${PREFIX}stack=`));
  if (i < 0) return { text: lines.join("\n"), extra: {} };
  const fields: Record<string, string> = {};
  for (const tok of lines[i]!.slice(PREFIX.length).trim().split(/\s+/)) {
    const eq = tok.indexOf("=");
    if (eq > 0) fields[tok.slice(0, eq)] = unesc(tok.slice(eq + 1));
  }
  const { stack, address, ...extra } = fields;
  const text = lines.filter((_, j) => j !== i).join("\n");
  return stack && address ? { text, marker: { stack, address }, extra } : { text, extra: {} };
}

/** The user's text with the marker line appended. */
export function withMarker(text: string, m: OwnershipMarker, extra: Record<string, string> = {}): string {
  return text ? `${text}\n${markerLine(m, extra)}` : markerLine(m, extra);
}

/** True when `a` and `b` name the same stack and address. */
export function sameOwner(a: OwnershipMarker | undefined, b: OwnershipMarker): boolean {
  return a !== undefined && a.stack === b.stack && a.address === b.address;
}
