/**
 * The append-only history file (`history.jsonl`): one JSON document per line. A crash (power loss)
 * can leave a torn last line; readers ignore it and the next append cuts it off first, so a torn
 * line never glues itself to a good one.
 */
import { constants as fsc } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { FILE_MODE, errCode, fsyncDir } from "./atomic-write.js";

const NL = 0x0a;
const CHUNK = 64 * 1024;

/** Thrown when a line other than the last one is not valid JSON: real corruption, not a torn write. */
export class HistoryFileCorruptError extends Error {
  readonly code = "STATE_HISTORY_CORRUPT";
  readonly retryable = false;
  constructor(readonly path: string, readonly line: number, detail: string) {
    super(
      `${path}:${line}: history line is not valid JSON (${detail}); fix or delete that line ` +
        "(history is informational, the inventory lives in state.json)",
    );
    this.name = "HistoryFileCorruptError";
  }
}

/**
 * Appends `value` as one JSON line to `path` (created with mode 0600) and fsyncs before resolving.
 * A torn, unparsable tail left by a crash is truncated first; a complete document missing only its
 * newline gets one. Callers serialise appends to the same file.
 */
export async function appendJsonLine(path: string, value: unknown): Promise<void> {
  const line = Buffer.from(JSON.stringify(value) + "\n", "utf8");
  const fh = await open(path, fsc.O_RDWR | fsc.O_CREAT | fsc.O_APPEND, FILE_MODE);
  let created = false;
  try {
    const size = (await fh.stat()).size;
    created = size === 0;
    const prefix = await repairTail(fh, size);
    await fh.writeFile(prefix ? Buffer.concat([prefix, line]) : line);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDir(dirname(path));
}

/**
 * Reads every complete JSON line of `path`, oldest first ([] when the file does not exist). An
 * unparsable last line without a newline (a torn write) is ignored; any other bad line throws
 * {@link HistoryFileCorruptError} naming the file and line.
 */
export async function readJsonLines(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (errCode(err) === "ENOENT") return [];
    throw err;
  }
  const lines = text.split("\n");
  const out: unknown[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    const isTail = i === lines.length - 1; // no newline after it
    try {
      out.push(JSON.parse(raw));
    } catch (err) {
      if (!isTail) throw new HistoryFileCorruptError(path, i + 1, (err as Error).message);
    }
  });
  return out;
}

/**
 * Makes the file end at a line boundary before an append. Returns bytes to write before the new
 * line (a newline when the tail is a complete document), or undefined. Truncates a torn tail.
 */
async function repairTail(fh: FileHandle, size: number): Promise<Buffer | undefined> {
  if (size === 0) return undefined;
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  if (last[0] === NL) return undefined;
  const start = await lastNewlineBefore(fh, size);
  const tail = Buffer.alloc(size - start);
  await fh.read(tail, 0, tail.length, start);
  try {
    JSON.parse(tail.toString("utf8"));
    return Buffer.from("\n");
  } catch {
    await fh.truncate(start);
    return undefined;
  }
}

/** Offset just after the last newline before `end` (0 when there is none). */
async function lastNewlineBefore(fh: FileHandle, end: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, pos - from, from);
    const idx = buf.subarray(0, bytesRead).lastIndexOf(NL);
    if (idx >= 0) return from + idx + 1;
    pos = from;
  }
  return 0;
}
