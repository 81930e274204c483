import { readdir, stat } from "node:fs/promises";
import { dirname, extname, join, relative, resolve } from "node:path";
import type { DiagnosticBag } from "./diagnostics.js";

/** Largest manifest file vmsync reads (1 MiB). Bigger files are refused with a diagnostic. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** A manifest file to load and the tree it belongs to (`{file:}` references must stay inside `root`). */
export interface ManifestFile {
  /** Absolute path. */
  path: string;
  /** Path as shown to the user (relative to the current folder when inside it). */
  display: string;
  /** Absolute folder that bounds `{file:}` references: the folder given, or the file's own folder. */
  root: string;
  size: number;
}

/** Folders never searched for manifests: vmsync's own state, VCS metadata, dependencies. */
const SKIPPED_DIRS = new Set([".vmsync", ".git", "node_modules"]);
/** vmsync's own settings beside the manifests (e.g. where the state lives): never a manifest. */
const SKIPPED_FILES = new Set(["vmsync.config.yaml", "vmsync.config.yml"]);

/** Shows a path relative to the current folder when it is inside it. */
export function displayPath(abs: string, cwd = process.cwd()): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith("..") ? rel : abs;
}

/**
 * Finds the manifest files named by `paths` (files, or folders searched recursively for `.yaml` /
 * `.yml`), in a stable order. Missing paths, folders without manifests and files over the size limit
 * become diagnostics.
 */
export async function findManifestFiles(paths: string[], bag: DiagnosticBag, cwd = process.cwd()): Promise<ManifestFile[]> {
  const found = new Map<string, ManifestFile>();
  for (const input of paths) {
    const abs = resolve(cwd, input);
    const info = await stat(abs).catch(() => undefined);
    const at = { file: displayPath(abs, cwd), line: 1, column: 1 };
    if (!info) {
      bag.error(at, "path-not-found", "", `no such file or folder: ${input}`, "Check the path; vmsync reads .yaml and .yml files and folders of them.");
      continue;
    }
    const root = info.isDirectory() ? abs : dirname(abs);
    const files = info.isDirectory() ? await walk(abs) : [{ path: abs, size: info.size }];
    const manifests = files.filter((f) => !info.isDirectory() || isManifestName(f.path));
    if (info.isDirectory() && manifests.length === 0) {
      bag.error(at, "no-manifests", "", `no manifests (.yaml or .yml files) in ${displayPath(abs, cwd)}`, "Point vmsync at the folder that holds your manifests, or add some (see examples/clusters/).");
      continue;
    }
    for (const f of manifests) {
      if (found.has(f.path)) continue;
      const file: ManifestFile = { path: f.path, display: displayPath(f.path, cwd), root, size: f.size };
      if (f.size > MAX_MANIFEST_BYTES) {
        bag.error({ file: file.display, line: 1, column: 1 }, "file-too-large", "", `file is ${f.size} bytes; manifests are limited to ${MAX_MANIFEST_BYTES} bytes (1 MiB)`, "Split it into several files in the same folder.");
        continue;
      }
      found.set(f.path, file);
    }
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

function isManifestName(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === ".yaml" || ext === ".yml";
}

async function walk(dir: string): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) out.push(...(await walk(full)));
    } else if (entry.isFile() && isManifestName(full) && !SKIPPED_FILES.has(entry.name)) {
      out.push({ path: full, size: (await stat(full)).size });
    }
  }
  return out;
}
