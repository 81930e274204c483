import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Runs `git ARGS` (an argument array, never a shell string) and resolves with its stdout. */
export type GitRunner = (args: string[], opts: { cwd?: string }) => Promise<string>;

/** The real runner: the `git` binary via execFile, without a terminal prompt, bounded in time. */
export const execGit: GitRunner = (args, opts) =>
  new Promise((resolve, reject) => {
    execFile("git", args, { cwd: opts.cwd, timeout: 120_000, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "" } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args[0]} failed: ${redactUserinfo(String(stderr || err.message)).trim()}`));
      else resolve(String(stdout));
    });
  });

/** A URL with any `user:password@` removed (for logs, errors and `/status`). */
export function redactUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1");
}

/** Checks `--git` and `--branch` before they reach git: no option-looking values, a sane branch name. */
export function checkGitArgs(url: string, branch: string): void {
  if (!url || url.startsWith("-")) throw new Error(`--git must be a repository URL or path, not "${url}"`);
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.startsWith("-") || branch.includes("..")) throw new Error(`--branch "${branch}" is not a valid branch name`);
}

/**
 * A git repository the daemon follows: cloned into `dir` on first use, then `head()` asks the
 * remote for the branch's commit cheaply (ls-remote) and `checkout()` fetches and resets the
 * working folder to it. Only `checkout()` changes files, and the daemon calls it from inside a
 * reconcile, so a pass never reads a tree that is being rewritten.
 */
export class GitSource {
  private current: string | undefined;

  constructor(private readonly opts: { url: string; branch: string; dir: string; run?: GitRunner }) {
    checkGitArgs(opts.url, opts.branch);
  }

  private git(args: string[], cwd?: string): Promise<string> {
    return (this.opts.run ?? execGit)(args, cwd ? { cwd } : {});
  }

  /** Where it follows, safe to show (credentials removed from the URL). */
  describe(): { url: string; branch: string } {
    return { url: redactUserinfo(this.opts.url), branch: this.opts.branch };
  }

  /** The commit the working folder holds (undefined before the first checkout). */
  get revision(): string | undefined {
    return this.current;
  }

  /** The branch's commit at the remote, without touching the working folder. */
  async head(): Promise<string> {
    const out = await this.git(["ls-remote", "--exit-code", "--", this.opts.url, `refs/heads/${this.opts.branch}`]);
    const sha = out.split(/\s+/)[0] ?? "";
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error(`git ls-remote gave no commit for branch ${this.opts.branch}`);
    return sha;
  }

  /** Clones or fetches, resets the working folder to the branch, and returns the commit. */
  async checkout(): Promise<string> {
    const { dir, url, branch } = this.opts;
    if (!existsSync(join(dir, ".git"))) {
      await mkdir(dirname(dir), { recursive: true });
      await this.git(["clone", "--quiet", "--no-tags", "--single-branch", "--branch", branch, "--", url, dir]);
    } else {
      await this.git(["fetch", "--quiet", "--no-tags", "--force", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`], dir);
      await this.git(["reset", "--quiet", "--hard", `refs/remotes/origin/${branch}`], dir);
    }
    this.current = (await this.git(["rev-parse", "HEAD"], dir)).trim();
    return this.current;
  }
}
