import { describe, expect, it } from "vitest";
import { runInProcess } from "../../integration/state-postgres/cli-io.js";

describe("--help of status, restart and snapshot", () => {
  it.each([["status"], ["restart"], ["snapshot"], ["snapshot", "run"], ["snapshot", "list"], ["snapshot", "create"], ["snapshot", "rollback"]])("vmsync %s %s --help shows examples", async (...cmd) => {
    const r = await runInProcess([...cmd.filter(Boolean), "--help"], { cwd: "." });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(`$ vmsync ${cmd.filter(Boolean).join(" ")}`);
  });
});
