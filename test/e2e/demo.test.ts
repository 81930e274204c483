import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * The README's main job, exactly as a new user runs it (`npm run demo` = scripts/demo.mjs): the
 * simulators start, examples/clusters/demo is validated, planned and applied on all three
 * providers, and the second plan finds nothing to change.
 */
describe("the quick-start demo", () => {
  it("applies examples/clusters/demo against the simulators and converges", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ["scripts/demo.mjs"], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
      child.on("close", (c) => (clearTimeout(timer), resolve({ code: c, output })));
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/Plan: 17 to create, 0 to update, 0 to replace, 0 to delete\./);
    expect(output).toContain("Apply complete! Resources: 17 created");
    expect(output).toContain("Container/cache: Creation complete");
    // inside the guests, over SSH through the simulators' bastion: the share is mounted on every web VM
    expect(output).toContain('+ mounts./srv/media.source = "127.0.0.1:/mnt/tank/vmsync/media"');
    for (const vm of ["web-1", "web-2", "db", "k8s-cp", "dev"]) expect(output).toMatch(new RegExp(`VirtualMachine/${vm}@guest: Creation complete after \\d+s \\[id=VirtualMachine/${vm}#SHA256:`));
    expect(output).not.toContain("PRIVATE KEY");
    expect(output).toMatch(/\+ cloudInit\.snippet = "local:snippets\/vmsync-web-1-[0-9a-f]{12}\.yaml"/);
    expect(output).toContain("No changes. The infrastructure matches the manifests.");
    expect(output).not.toContain("demo-display-secret");
    expect(output).not.toMatch(/\u001b\[/); // not a terminal: no colour codes, from the demo script or vmsync
    expect(output).not.toContain("demo-container-secret");
  }, 180_000);
});
