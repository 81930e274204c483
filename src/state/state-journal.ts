/**
 * The state journal, `state.journal` beside `state.json`: batches committed since the snapshot was
 * last written, one line each — `<16 hex of SHA-256(json)> <json>\n` with json `{"serial":n,"changes":[…]}`
 * — so a commit costs one append and one fsync, whatever the size of the state.
 *
 * Reading: lines after the last valid one are a torn tail (a crash mid-append; that batch was never
 * acknowledged) and are ignored; an invalid line before a valid one, or serials that do not follow
 * each other, is corruption and is reported, never skipped (that would silently drop committed
 * batches). Writing: a torn tail is cut off before the next append, so a torn line never glues
 * itself to a good one.
 */
import { createHash } from "node:crypto";
import { constants as fsc } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { StateChange, StateSnapshot } from "./contract.js";
import { FILE_MODE, errCode, fsyncDir } from "./atomic-write.js";

/** One committed batch. */
export interface JournalEntry {
  serial: number;
  changes: StateChange[];
}

/** Thrown when the journal holds a bad line before good ones, or a gap in serials. */
export class JournalCorruptError extends Error {
  readonly code = "STATE_CORRUPT";
  readonly retryable = false;
  constructor(readonly path: string, readonly line: number, detail: string) {
    super(
      `state journal ${path}:${line} is damaged (${detail}). vmsync will not skip it, because the batches after it ` +
        "would be lost. Restore .vmsync/ from a backup, or fix the line by hand",
    );
    this.name = "JournalCorruptError";
  }
}

function hashOf(json: string): string {
  return createHash("sha256").update(json).digest("hex").slice(0, 16);
}

/** The journal lines of `entries`. */
export function encodeEntries(entries: JournalEntry[]): Buffer {
  return Buffer.from(entries.map((e) => {
    const json = JSON.stringify({ serial: e.serial, changes: e.changes });
    return `${hashOf(json)} ${json}\n`;
  }).join(""), "utf8");
}

function decodeLine(line: string): JournalEntry | undefined {
  const sp = line.indexOf(" ");
  if (sp !== 16) return undefined;
  const json = line.slice(17);
  if (hashOf(json) !== line.slice(0, 16)) return undefined;
  try {
    const v = JSON.parse(json) as JournalEntry;
    return Number.isSafeInteger(v.serial) && Array.isArray(v.changes) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Parses journal bytes: the entries, and the length of the valid prefix (everything after it is a torn tail). */
export function parseJournal(path: string, data: Buffer): { entries: JournalEntry[]; validBytes: number } {
  const entries: JournalEntry[] = [];
  let validBytes = 0;
  let badLine: { line: number; detail: string } | undefined;
  let pos = 0;
  for (let line = 1; pos < data.length; line++) {
    const nl = data.indexOf(0x0a, pos);
    const end = nl < 0 ? data.length : nl + 1;
    const text = data.subarray(pos, nl < 0 ? data.length : nl).toString("utf8");
    const entry = nl < 0 ? undefined : decodeLine(text);
    if (entry) {
      if (badLine) throw new JournalCorruptError(path, badLine.line, badLine.detail);
      const prev = entries[entries.length - 1];
      if (prev && entry.serial !== prev.serial + 1) throw new JournalCorruptError(path, line, `serial ${entry.serial} does not follow ${prev.serial}`);
      entries.push(entry);
      validBytes = end;
    } else if (text.trim() !== "" && !badLine) {
      badLine = { line, detail: nl < 0 ? "an incomplete line" : "a line whose checksum or JSON is wrong" };
    }
    pos = end;
  }
  return { entries, validBytes };
}

/** Reads the journal; empty when there is none. */
export async function readJournal(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if (errCode(err) === "ENOENT") return Buffer.alloc(0);
    throw err;
  }
}

/**
 * Applies the entries newer than `snapshot` to it, in place. Returns false when they do not follow
 * on from its serial (a snapshot written by a compaction that raced the reader: read again).
 */
export function replayOnto(snapshot: StateSnapshot, entries: JournalEntry[], apply: (s: StateSnapshot, changes: StateChange[]) => void): boolean {
  for (const e of entries) {
    if (e.serial <= snapshot.serial) continue;
    if (e.serial !== snapshot.serial + 1) return false;
    apply(snapshot, e.changes);
    snapshot.serial = e.serial;
  }
  return true;
}

/**
 * Appends `lines` to the journal (created 0600) after cutting it back to `validBytes` (a torn tail),
 * and fsyncs before resolving. Returns the journal's new length.
 */
export async function appendJournal(path: string, lines: Buffer, validBytes: number): Promise<number> {
  const fh = await open(path, fsc.O_RDWR | fsc.O_CREAT, FILE_MODE);
  let created = false;
  try {
    const size = (await fh.stat()).size;
    created = size === 0 && validBytes === 0;
    if (size !== validBytes) await fh.truncate(validBytes);
    await fh.write(lines, 0, lines.length, validBytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDir(dirname(path));
  return validBytes + lines.length;
}

/** Empties the journal (after its batches went into a snapshot); a missing journal is fine. */
export async function emptyJournal(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, fsc.O_RDWR);
  } catch (err) {
    if (errCode(err) === "ENOENT") return;
    throw err;
  }
  try {
    await fh.truncate(0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
