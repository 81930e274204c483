import { execFile } from "node:child_process";

/** Runs git in `cwd` with a fixed identity (argument array, no shell); resolves with stdout. */
export function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", ...args], { cwd }, (err, out, errText) =>
      err ? reject(new Error(`git ${args.join(" ")}: ${errText}`)) : resolve(String(out).trim()),
    );
  });
}
