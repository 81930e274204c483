/**
 * vmsync's own block in a line-oriented guest file (/etc/fstab, ~/.ssh/authorized_keys): the lines
 * between `# BEGIN vmsync STACK ADDRESS` and `# END vmsync STACK ADDRESS` are vmsync's — that is its
 * ownership marker inside the guest. Every other line (including other stacks' blocks) belongs to
 * someone else and is kept byte for byte.
 */

/** Whose block: the stack and the resource address (`VirtualMachine/web-1@guest`). */
export interface BlockOwner {
  stack: string;
  address: string;
}

/** A file split around one owner's block. `lines` is undefined when the file has no such block. */
export interface SplitFile {
  lines?: string[];
  /** The other lines, with `at` = the index where the block was (or the end). */
  others: string[];
  at: number;
  /** 1-based line numbers of the other lines in the original file, for messages. */
  lineNumbers: number[];
}

const BEGIN = "# BEGIN vmsync";
const END = "# END vmsync";

function header(kind: "BEGIN" | "END", owner: BlockOwner): string {
  return `${kind === "BEGIN" ? BEGIN : END} ${owner.stack} ${owner.address}`;
}

/** Splits `text` into the owner's block and everything else. An unterminated block runs to the end. */
export function splitBlock(text: string, owner: BlockOwner): SplitFile {
  const all = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const begin = header("BEGIN", owner);
  const end = header("END", owner);
  const start = all.findIndex((l) => l.trimEnd() === begin);
  if (start < 0) return { others: all, at: all.length, lineNumbers: all.map((_, i) => i + 1) };
  let stop = all.findIndex((l, i) => i > start && l.trimEnd() === end);
  if (stop < 0) stop = all.length;
  const others = [...all.slice(0, start), ...all.slice(stop + 1)];
  const lineNumbers = [...all.slice(0, start).map((_, i) => i + 1), ...all.slice(stop + 1).map((_, i) => stop + 2 + i)];
  return { lines: all.slice(start + 1, stop), others, at: start, lineNumbers };
}

/** The file with the owner's block holding `lines` (removed entirely when `lines` is empty). */
export function withBlock(split: SplitFile, owner: BlockOwner, lines: string[]): string {
  const block = lines.length ? [header("BEGIN", owner), ...lines, header("END", owner)] : [];
  const out = [...split.others.slice(0, split.at), ...block, ...split.others.slice(split.at)];
  return out.length ? `${out.join("\n")}\n` : "";
}

/** The owner of a `# BEGIN vmsync …` line, if it is one. */
export function blockOwnerOf(line: string): BlockOwner | undefined {
  if (!line.startsWith(`${BEGIN} `)) return undefined;
  const [stack, address] = line.slice(BEGIN.length + 1).trim().split(/\s+/);
  return stack && address ? { stack, address } : undefined;
}
