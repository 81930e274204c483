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
