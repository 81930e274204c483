/**
 * The CLI's error mapping: conditions vmsync understands are plain errors with a hint, told by
 * types and codes (also when wrapped as a `cause`); only a programming error is reported as a bug,
 * pointing at --debug (never at an issue tracker).
 */
import { RestError } from "@azure/core-rest-pipeline";
import pc from "picocolors";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/io.js";
import { describeFailure } from "../../../src/cli/known-failures.js";
import { reportError } from "../../../src/cli/report-error.js";
import { UsageError } from "../../../src/cli/errors.js";
import { toProviderError } from "../../../src/providers/azure/errors.js";
import { httpError, withContext } from "../../../src/providers/proxmox/errors.js";
import { callError, withAction } from "../../../src/providers/truenas/errors.js";
import { StateIoError } from "../../../src/state/state-io-error.js";
import { GuestError, type GuestErrorCode } from "../../../src/guest/ssh/errors.js";
import { guestHint } from "../../../src/guest/hints.js";

function io(debug = false): CliIO & { err: () => string } {
  let err = "";
  return {
    stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: new PassThrough(), env: {}, cwd: "/",
    color: pc.createColors(false), json: false, debug, err: () => err,
  };
}

/** A system error as `fs` raises it. */
function sysError(code: string, errno: number, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, errno, syscall, path });
}

describe("reportError", () => {
  it("a programming error is a bug, with the way to its stack trace and no issue URL", () => {
    const out = io();
    expect(reportError(new TypeError("cannot read properties of undefined (reading 'x')"), out)).toBe(1);
    expect(out.err()).toBe("vmsync: internal error (a bug in vmsync): TypeError: cannot read properties of undefined (reading 'x')\n  hint: run the same command with --debug for the stack trace\n");
    const debug = io(true);
    reportError(new RangeError("boom"), debug);
    expect(debug.err()).toMatch(/^vmsync: internal error \(a bug in vmsync\): RangeError: boom\nRangeError: boom\n\s+at /);
    expect(debug.err()).not.toMatch(/http/);
  });

  it("an error of ours (string code, boolean retryable) is a plain error with its hint", () => {
    const out = io();
    expect(reportError(new UsageError("--mode must be observe, plan or apply", "Pick one."), out)).toBe(1);
    expect(out.err()).toBe("error: --mode must be observe, plan or apply\n  hint: Pick one.\n");
  });

  it("a system error from a state write names what was done, where, and what to do", () => {
    const out = io();
    const err = new StateIoError("write the state file", "/m/.vmsync/state.json", sysError("ENOSPC", -28, "write", "/m/.vmsync/.state.json.1.ab.tmp") as never);
    expect(reportError(err, out)).toBe(1);
    expect(out.err()).toMatch(/^error: cannot write the state file \/m\/\.vmsync\/state\.json: no space left on device \(ENOSPC\)\n  hint: The filesystem holding \/m\/\.vmsync is full/);
  });
});

describe("describeFailure: told by codes and types, wrapped or not", () => {
  const req = { method: "GET", path: "/version" };
  it.each([
    ["Proxmox 401", withContext("connect to proxmox provider pve", httpError(req, 401, "authentication failure", {})), "credentials"],
    ["Proxmox 403 (permission check failed)", withContext("create proxmox vm web", httpError({ method: "POST", path: "/nodes/pve1/qemu" }, 403, "Permission check failed (/vms/100, VM.Allocate)", {})), "credentials"],
    ["Azure 401", toProviderError("observe", new RestError("The access token is invalid.", { code: "InvalidAuthenticationToken", statusCode: 401 })), "credentials"],
    ["Azure 403", toProviderError("create vm", new RestError("The client does not have authorization", { code: "AuthorizationFailed", statusCode: 403 })), "credentials"],
    ["TrueNAS not authorized", withAction("cannot create truenas vm web", callError("vm.create", { errname: "EACCES", errno: 13, reason: "Not authorized", validation: false })), "credentials"],
    ["an Azure identity failure", toProviderError("connect", Object.assign(new Error("no credential"), { name: "CredentialUnavailableError" })), "credentials"],
    ["Azure TLS", toProviderError("connect", new RestError("self-signed certificate", { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })), "tls"],
    ["a host-name mismatch two causes down", new Error("outer", { cause: new Error("mid", { cause: Object.assign(new Error("Hostname/IP does not match"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" }) }) }), "tls"],
    ["Azure refused connection", toProviderError("connect", new RestError("connect ECONNREFUSED", { code: "ECONNREFUSED" })), "unreachable"],
    ["a permission error of fs", sysError("EACCES", -13, "open", "/m/token"), "filesystem"],
    ["a read-only filesystem", sysError("EROFS", -30, "open", "/m/.vmsync/lock.json"), "filesystem"],
  ])("%s", (_what, err, kind) => {
    const f = describeFailure(err);
    expect(f?.kind).toBe(kind);
    expect(f?.hint).toBeTruthy();
    expect(f?.message).toBe((err as Error).message);
  });

  it("a message that merely mentions a condition does not make it one", () => {
    expect(describeFailure(new Error("certificate ECONNREFUSED 401 permission denied"))).toBeUndefined();
    expect(describeFailure(new TypeError("x is not a function"))).toBeUndefined();
  });
});

describe("guest errors (SSH into VMs and to Proxmox nodes) are plain errors with a guest's hint", () => {
  const codes: GuestErrorCode[] = ["GUEST_TIMEOUT", "GUEST_UNREACHABLE", "GUEST_AUTH_FAILED", "GUEST_HOST_KEY_MISMATCH", "GUEST_NO_ADDRESS", "GUEST_NOT_READY", "GUEST_COMMAND_FAILED", "GUEST_BUSY", "GUEST_CONFLICT", "GUEST_PROTOCOL", "GUEST_BAD_KEY"];

  it.each(codes)("%s", (code) => {
    const out = io();
    const err = new GuestError(`cannot do it on the guest of VirtualMachine/web (${code})`, code);
    expect(err.hint).toBe(guestHint(code));
    expect(reportError(err, out)).toBe(1);
    expect(out.err()).toBe(`error: cannot do it on the guest of VirtualMachine/web (${code})\n  hint: ${guestHint(code)}\n`);
  });

  it("a refused TCP connection to a guest gets the guest's hint, not the Provider's spec.endpoint", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:22"), { code: "ECONNREFUSED", errno: -111, syscall: "connect", level: "client-socket" });
    const err = new GuestError("cannot reach the guest of VirtualMachine/web at 10.0.0.5:22: ECONNREFUSED", "GUEST_UNREACHABLE", refused);
    const f = describeFailure(err);
    expect(f).toEqual({ kind: "known", message: err.message, hint: guestHint("GUEST_UNREACHABLE") });
    expect(f?.hint).not.toContain("spec.endpoint");
    // also when a provider step wraps it (a Proxmox snippet upload over SFTP)
    expect(describeFailure(new Error("cannot create proxmox vm web", { cause: err }))?.hint).toBe(guestHint("GUEST_UNREACHABLE"));
  });

  it("a refused SSH key is the guest's credentials, not the Provider's spec.auth", () => {
    const denied = Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" });
    const f = describeFailure(new GuestError("cannot log in to the guest of VirtualMachine/web at 10.0.0.5:22 as ops: the key was refused", "GUEST_AUTH_FAILED", denied));
    expect(f?.hint).toMatch(/^Check ssh\.user and ssh\.privateKey/);
  });

  it("a code that is not a guest error's has no guest hint", () => {
    expect(guestHint("PROXMOX_HTTP_500")).toBeUndefined();
    expect(guestHint(undefined)).toBeUndefined();
    expect(guestHint("toString")).toBeUndefined();
  });
});
