import { resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Clock } from "./clock.js";
import { Debouncer } from "./debounce.js";

/** Paths never watched: vmsync's state, VCS metadata, dependencies (the loader skips them too). */
const IGNORED_DIR = /(^|[/\\])(\.vmsync|\.git|node_modules)([/\\]|$)/;

/** True for a path whose change can alter the manifests (a `.yaml`/`.yml` file). */
export function isManifestPath(path: string): boolean {
  return /\.ya?ml$/i.test(path) && !IGNORED_DIR.test(path);
}

/** A running watch over the manifest tree. */
export interface ManifestWatcher {
  /** Resolves once the initial scan is done (changes after it are reported). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches manifest files and folders with chokidar and reports changed `.yaml`/`.yml` paths,
 * debounced. Editors' atomic saves (write a temp file, rename over) and half-written files are
 * absorbed: chokidar's `atomic` and `awaitWriteFinish` wait for the file to settle, and the
 * debounce turns a burst into one call. A file that is still broken is caught by the loader, whose
 * diagnostics stop the pass before anything is applied.
 */
export function watchManifests(opts: { paths: string[]; cwd: string; clock: Clock; debounceMs: number; onChange: (files: string[]) => void; onError: (err: unknown) => void }): ManifestWatcher {
  const debounce = new Debouncer<string>({ clock: opts.clock, waitMs: opts.debounceMs }, opts.onChange);
  const watcher: FSWatcher = watch(opts.paths.map((p) => resolve(opts.cwd, p)), {
    ignoreInitial: true,
    ignored: (p: string) => IGNORED_DIR.test(p),
    atomic: true,
    // a file counts as written once its size held for 50 ms (less with a shorter debounce): long
    // enough for a copy in progress, short enough that a save starts its plan within ~⅓ s
    awaitWriteFinish: { stabilityThreshold: Math.min(50, Math.max(20, opts.debounceMs)), pollInterval: 10 },
    persistent: true,
  });
  const ready = new Promise<void>((res) => watcher.once("ready", () => res()));
  watcher.on("all", (event, path) => {
    if (event === "unlinkDir" || isManifestPath(path)) debounce.push(path);
  });
  watcher.on("error", (err) => opts.onError(err));
  return {
    ready,
    close: async () => {
      debounce.dispose();
      await watcher.close();
    },
  };
}
