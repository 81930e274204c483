import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpError, networkError, ProxmoxApiError, withContext } from "../../../src/providers/proxmox/errors.js";
import type { ProxmoxSession } from "../../../src/providers/proxmox/index.js";
import { allGuests, connect, createOne, failure, providerYaml, startWorld, vmYaml, type World } from "./helpers.js";

describe("proxmox provider: error classification", () => {
  const req = { method: "PUT", path: "/nodes/pve1/qemu/100/config" };
  it("retries only lock timeouts, held config locks, worker fork failures, proxy errors and network errors", () => {
    const retryable = (status: number, text: string) => httpError(req, status, text, { message: `${text}\n` }).retryable;
    expect(retryable(500, "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout")).toBe(true);
    expect(retryable(500, "VM is locked (clone)")).toBe(true);
    expect(retryable(500, "got no worker upid - start worker failed")).toBe(true);
    expect(retryable(596, "Broken pipe")).toBe(true);
    expect(retryable(599, "Too many redirections")).toBe(true);
    expect(retryable(500, "unable to create VM 100 - VM 100 already exists on node 'pve1'")).toBe(false);
    expect(retryable(500, "VM 100 is running - destroy failed")).toBe(false);
    expect(retryable(400, "Parameter verification failed.")).toBe(false);
    expect(retryable(403, "Permission check failed (/vms/100, VM.Config.Disk)")).toBe(false);
    expect(networkError(req, Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })).retryable).toBe(true);
    expect(networkError(req, Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).retryable).toBe(false);
  });

  it("keeps Proxmox's text, the per-field errors and the request in the message", () => {
    const e = httpError({ method: "POST", path: "/nodes/pve1/qemu" }, 400, "Parameter verification failed.", { data: null, message: "Parameter verification failed.\n", errors: { vmid: "VM 100 already exists" } });
    expect(e).toBeInstanceOf(ProxmoxApiError);
    expect(withContext("create proxmox vm web-1", e).message).toBe("cannot create proxmox vm web-1 (POST /nodes/pve1/qemu): 400 Parameter verification failed. (vmid: VM 100 already exists)");
  });
});

describe("proxmox provider: waiting for tasks", () => {
  let w: World;
  let session: ProxmoxSession;
  beforeAll(async () => {
    w = await startWorld({ knobs: { taskDurationMs: 1500 } });
    await w.write({ "pve.yaml": providerYaml(), "vm.yaml": vmYaml("slow-1", "  memory: 512MiB\n  disks: [{ size: 1GiB }]\n  power: stopped\n"), "vm2.yaml": vmYaml("slow-2", "  memory: 512MiB\n  disks: [{ size: 1GiB }]\n  power: stopped\n") });
    session = await connect(w, await w.load());
  });
  afterAll(async () => {
    await session.close();
    await w.stop();
  });

  it("honours the step deadline and the cancellation signal while a task runs", async () => {
    const desired = await w.load();
    const { resource, providerOf, STACK } = await import("./helpers.js");
    const { proxmoxProvider } = await import("../../../src/providers/proxmox/index.js");
    const r = resource(desired, "VirtualMachine/slow-1");
    const spec = proxmoxProvider.canonicalize(r, providerOf(desired));
    const request = { address: r.address, kind: r.kind, name: r.name, spec, marker: { stack: STACK, address: r.address } };
    const late = await failure(session.create(request, { signal: new AbortController().signal, deadline: Date.now() + 300 }));
    expect(late.message).toMatch(/gave up waiting for task UPID:pve1:.*:qmcreate:/);
    expect(late.retryable).toBe(false);
    // the retry waits for the abandoned create instead of making a second VM
    const adopted = await createOne(session, desired, "VirtualMachine/slow-1");
    expect((await allGuests(w)).map((g) => `${g.node}/${g.vmid}`)).toEqual([adopted.externalId]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("SIGINT")), 200);
    const r2 = resource(desired, "VirtualMachine/slow-2");
    const spec2 = proxmoxProvider.canonicalize(r2, providerOf(desired));
    const cancelled = await failure(session.create({ ...request, address: r2.address, name: r2.name, spec: spec2, marker: { stack: STACK, address: r2.address } }, { signal: ac.signal, deadline: Date.now() + 60_000 }));
    expect(cancelled.message).toMatch(/cancel/i);
    expect((await createOne(session, desired, "VirtualMachine/slow-2")).name).toBe("slow-2");
    expect(await allGuests(w)).toHaveLength(2);
  });
});
