/**
 * The CLI's cache of parsed manifests, `<manifest folder>/.vmsync/cache/manifests.json` (0600):
 * the YAML files a plan read, parsed, by the hash of their text (see manifest/parse-cache.ts). Not
 * state: a missing or unreadable file only means the next load parses everything.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ParseCache } from "../manifest/parse-cache.js";
import { DIR_MODE, ensurePrivateDir, writeFileAtomic } from "./atomic-write.js";

const FORMAT = 2;

function pathOf(root: string): string {
  return join(root, ".vmsync", "cache", "manifests.json");
}

/** The parse cache saved in `root`, or an empty one. */
export async function loadParseCache(root: string): Promise<ParseCache> {
  try {
    const doc = JSON.parse(await readFile(pathOf(root), "utf8")) as { formatVersion?: unknown; files?: unknown };
    return doc.formatVersion === FORMAT ? ParseCache.fromJSON(doc.files) : new ParseCache();
  } catch {
    return new ParseCache();
  }
}

/** Saves what the last load used, when that changed; failures are ignored (the cache is only a shortcut). */
export async function saveParseCache(root: string, cache: ParseCache): Promise<void> {
  if (!cache.changed()) return;
  try {
    await ensurePrivateDir(join(root, ".vmsync"));
    await mkdir(join(root, ".vmsync", "cache"), { recursive: true, mode: DIR_MODE });
    await writeFileAtomic(pathOf(root), JSON.stringify({ formatVersion: FORMAT, files: cache }));
  } catch {
    // a read-only folder: plans still work, they parse every time
  }
}
