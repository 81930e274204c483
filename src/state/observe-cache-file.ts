/**
 * The CLI's observation caches: one file per provider, `<manifest folder>/.vmsync/cache/<stack>/<provider>.json`
 * (folders 0700, files 0600, written atomically), holding the entries and the identity they were
 * read from. Not state: losing or corrupting it only makes the next plan read everything (a file
 * that does not parse, or was saved for another identity, is ignored).
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CachedObservation } from "../providers/observe-cache.js";
import type { ObserveCacheStore } from "../reconcile/observe-caches.js";
import { DIR_MODE, ensurePrivateDir, writeFileAtomic } from "./atomic-write.js";

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The cache store of a manifest folder (`root`) and stack. */
export function fileCacheStore(root: string, stack: string): ObserveCacheStore {
  const folder = join(root, ".vmsync", "cache", NAME_RE.test(stack) ? stack : "default");
  const path = (provider: string) => join(folder, `${NAME_RE.test(provider) ? provider : "provider"}.json`);
  return {
    async load(provider, identity) {
      let doc: { formatVersion?: unknown; identity?: unknown; entries?: unknown };
      try {
        doc = JSON.parse(await readFile(path(provider), "utf8")) as typeof doc;
      } catch {
        return [];
      }
      return doc.formatVersion === 1 && doc.identity === identity && Array.isArray(doc.entries) ? (doc.entries as CachedObservation[]) : [];
    },
    async save(provider, identity, entries) {
      await ensurePrivateDir(join(root, ".vmsync"));
      await mkdir(folder, { recursive: true, mode: DIR_MODE });
      await writeFileAtomic(path(provider), JSON.stringify({ formatVersion: 1, identity, entries }));
    },
  };
}
