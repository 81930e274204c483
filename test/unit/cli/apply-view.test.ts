/**
 * The apply progress for people: a step that failed inside a guest (over SSH) says what to do about
 * its error code; other failures print the provider's message alone.
 */
import { PassThrough } from "node:stream";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { applyView } from "../../../src/cli/apply-view.js";
import type { CliIO } from "../../../src/cli/io.js";
import { guestHint } from "../../../src/guest/hints.js";

function io(): CliIO & { err: () => string } {
  let err = "";
  return {
    stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: new PassThrough(), env: {}, cwd: "/",
    color: pc.createColors(false), json: false, debug: false, err: () => err,
  };
}

const failed = (code: string | undefined) => ({
  type: "step.failed" as const, address: "VirtualMachine/web@guest", action: "create" as const, error: "cannot log in to the guest of VirtualMachine/web at 10.0.0.5:22 as ops: the key was refused",
  ...(code ? { code } : {}), retryable: false, attempts: 1, time: "2026-01-01T00:00:00Z",
});

describe("apply view: failed steps", () => {
  it("a guest error gets the hint for its code", () => {
    const out = io();
    applyView(out).onEvent(failed("GUEST_AUTH_FAILED"));
    expect(out.err()).toBe(`VirtualMachine/web@guest: failed: cannot log in to the guest of VirtualMachine/web at 10.0.0.5:22 as ops: the key was refused\n  hint: ${guestHint("GUEST_AUTH_FAILED")}\n`);
  });

  it("any other failure is its message alone", () => {
    for (const code of ["PROXMOX_HTTP_500", undefined]) {
      const out = io();
      applyView(out).onEvent(failed(code));
      expect(out.err()).not.toContain("hint:");
    }
  });
});
