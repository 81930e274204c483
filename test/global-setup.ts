import { spawnSync } from "node:child_process";

/**
 * Makes `npm test` self-sufficient: the PostgreSQL state tests need a real server. When
 * VMSYNC_TEST_PG_URL is not set, start one on loopback with `.ci/postgres-up` (which installs
 * Debian's postgresql when missing and this is root) and point the tests at it. If that is not
 * possible the PostgreSQL tests fail with a message saying how to provide one — they never skip.
 */
export default function setup(): void {
  if (process.env.VMSYNC_TEST_PG_URL) return;
  const r = spawnSync("bash", [".ci/postgres-up"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 300_000 });
  if (r.status !== 0) return;
  for (const line of r.stdout.split("\n")) {
    const m = /^export (VMSYNC_TEST_PG_URL|VMSYNC_PG_DIR)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]!] = m[2]!.replace(/^'(.*)'$/, "$1");
  }
}
