/**
 * `~/.ssh/authorized_keys` lines. vmsync compares keys by type and base64 blob (the comment is kept
 * as written); `canonicalKey` trims and collapses whitespace so that a re-indented manifest is no change.
 */

/** A key line with its fields separated by single spaces. */
export function canonicalKey(line: string): string {
  return line.trim().split(/\s+/).join(" ");
}

/** The sorted, de-duplicated canonical keys of a list. */
export function canonicalKeys(lines: readonly string[]): string[] {
  return [...new Set(lines.map(canonicalKey).filter((l) => l !== "" && !l.startsWith("#")))].sort();
}
