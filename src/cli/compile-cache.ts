import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

/**
 * V8's code cache for the bundled CLI (dist/bundle/*.cjs), so that a run does not parse and
 * compile the same few megabytes of JavaScript again (the Azure SDKs alone are ~4 MB): on Node ≥
 * 22.1 Node's own `module.enableCompileCache`; on older Node the CommonJS loader's compile step is
 * replaced, for files below `bundleDir` only, by one that hands V8 the code it produced last time
 * (`vm.Script` `cachedData`) and, at exit, saves what V8 compiled during the run for files that had
 * no usable cache (the same technique as the v8-compile-cache package).
 *
 * Cache entries are keyed by a hash of the file's path and text (V8's own check compares only
 * lengths; and code V8 compiled under one path keeps that path in stack traces, so two installs of
 * the same version must not share an entry),
 * live in `$XDG_CACHE_HOME/vmsync/compile/<node version>-<arch>/` (default `~/.cache`; the folder
 * 0700, files 0600, written atomically), and are only a shortcut: anything that goes wrong —
 * unreadable, rejected by V8, unwritable — means compiling as usual. `VMSYNC_COMPILE_CACHE=0`
 * turns it off.
 */
export function enableCompileCache(bundleDir: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.VMSYNC_COMPILE_CACHE === "0") return;
  const dir = compileCacheDir(env);
  const builtIn = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof builtIn === "function") {
    try {
      builtIn(dir);
    } catch {
      // a cache is only a shortcut
    }
    return;
  }
  installCompileHook(bundleDir, dir);
}

/** Where the compile cache lives for this Node.js (V8 version and flags must match to use it). */
export function compileCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), ".cache");
  return join(base, "vmsync", "compile", `${process.version}-${process.arch}`);
}

type CompileFn = (this: NodeModule, content: string, filename: string) => unknown;

/** Replaces `Module.prototype._compile` for files under `bundleDir` (see `enableCompileCache`). */
function installCompileHook(bundleDir: string, cacheDir: string): void {
  const proto = (Module as unknown as { prototype: { _compile: CompileFn } }).prototype;
  const original = proto._compile;
  const toSave: Array<{ file: string; script: Script }> = [];
  const prefix = bundleDir.endsWith("/") ? bundleDir : `${bundleDir}/`;
  proto._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(prefix)) return original.call(this, content, filename);
    const file = join(cacheDir, `${createHash("sha1").update(filename).update("\0").update(content).digest("hex")}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new Script((Module as unknown as { wrap: (s: string) => string }).wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData || script.cachedDataRejected) toSave.push({ file, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  process.once("exit", () => {
    if (toSave.length === 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      for (const { file, script } of toSave) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, file);
      }
    } catch {
      // a read-only home or a full disk: the next run compiles again
    }
  });
}
