import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Makes `npm test` self-sufficient: the PostgreSQL state tests need a real server. When
 * VMSYNC_TEST_PG_URL is not set, start one on loopback in a private temporary folder with
 * `.ci/postgres-up` (which installs Debian's postgresql when missing and this is root), point the
 * tests at it, and stop it and remove the folder when the run ends. If that is not possible the
 * PostgreSQL tests fail with a message saying how to provide one — they never skip.
 */
export default function setup(): (() => void) | undefined {
  if (process.env.VMSYNC_TEST_PG_URL) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "vmsync-test-pg-"));
  const env = { ...process.env, VMSYNC_PG_DIR: dir };
  const r = spawnSync("bash", [".ci/postgres-up"], { encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"], timeout: 300_000 });
  const teardown = () => {
    spawnSync("bash", [".ci/postgres-up", "--stop"], { env, stdio: "ignore", timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  if (r.status !== 0) {
    teardown();
    return undefined;
  }
  for (const line of r.stdout.split("\n")) {
    const m = /^export (VMSYNC_TEST_PG_URL)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]!] = m[2]!.replace(/^'(.*)'$/, "$1");
  }
  return teardown;
}
