import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintOf } from "../../../src/guest/ssh/fingerprint.js";
import { utils } from "../../../src/guest/ssh/ssh2.js";
import { generateEd25519 } from "../../../src/guest/ssh/keygen.js";
import { guestYaml, providersYaml, startGuestWorld, type GuestWorld } from "./world.js";

const OPS_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbn6uYjHU2ffbmljt3vBW8MbIfzRH7T2ZuOYRb4UX+n ops-a@example.com";
const OPS_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops-b@example.com";

let w: GuestWorld;
const vm = (name: string, guestExtra: string, extra = "") => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: ${name} }
spec:
  provider: pve
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ubuntu }
${extra}${guestYaml(w.env.VMSYNC_SIM_GUEST_PORT!, guestExtra)}`;
const providers = () => providersYaml({ proxmox: w.env.VMSYNC_SIM_PROXMOX_ENDPOINT!, truenas: w.env.VMSYNC_SIM_TRUENAS_ENDPOINT!, azure: w.env.VMSYNC_SIM_AZURE_ENDPOINT! });
const hostKeyOf = (name: string) => {
  const k = utils.parseKey(w.guests.admin.guest(name)!.hostKey);
  if (k instanceof Error || Array.isArray(k)) throw new Error("bad key");
  return fingerprintOf(k.getPublicSSH());
};
const step = (p: { steps: Array<{ address: string }> }, a: string) => p.steps.find((s) => s.address === a) as Record<string, any>;

beforeAll(async () => {
  w = await startGuestWorld();
  await w.write({ "providers.yaml": providers(), "a.yaml": vm("ka", `    authorizedKeys: ["${OPS_A}"]\n`), "b.yaml": vm("kb", "") });
  const r = await w.reconcile({ apply: true });
  expect(r.events.filter((e) => e.type === "step.failed")).toEqual([]);
});
afterAll(async () => w?.stop());

describe("guest access: keys and host keys", () => {
  it("keeps its keys in its own block and the image's key where it was; rotation is in place", async () => {
    const file = () => w.guests.admin.guest("ka")!.fs["/home/ubuntu/.ssh/authorized_keys"]!;
    expect(file().content).toContain(OPS_A);
    const before = file().content!.split("\n")[0];
    await w.write({ "a.yaml": vm("ka", `    authorizedKeys: ["${OPS_B}"]\n`) });
    const p = await w.reconcile({ apply: true });
    expect(step(p.plan, "VirtualMachine/ka@guest")).toMatchObject({ action: "update", changes: [{ path: "authorizedKeys", before: [OPS_A], after: [OPS_B], effect: "in-place" }] });
    expect(file().content).toContain(OPS_B);
    expect(file().content).not.toContain(OPS_A);
    expect(file().content!.split("\n")[0]).toBe(before); // the image's key, not vmsync's, is untouched
    expect(file().mode).toBe(0o600);
  });

  it("records the host key seen first in state", async () => {
    const rec = (await w.store.read()).resources["VirtualMachine/ka@guest"]!;
    expect(rec.externalId).toBe(`VirtualMachine/ka#${hostKeyOf("ka")}`);
    expect(rec.appliedSpec).toMatchObject({ ssh: { hostKey: "trust-on-first-use" } });
  });

  it("refuses a changed host key, naming both fingerprints, while the rest of the plan is applied", async () => {
    const old = hostKeyOf("kb");
    w.guests.admin.rekey("kb");
    await w.write({ "a.yaml": vm("ka", `    authorizedKeys: ["${OPS_A}"]\n`) });
    const r = await w.reconcile({ apply: true });
    const kb = step(r.plan, "VirtualMachine/kb@guest");
    expect(kb).toMatchObject({ action: "noop", reasonCode: "unreadable", error: { code: "GUEST_HOST_KEY_MISMATCH" } });
    expect(kb.error.message).toContain(old);
    expect(kb.error.message).toContain(hostKeyOf("kb"));
    expect(kb.error.message).toContain("recorded in state on first use");
    expect(r.events.filter((e) => e.type === "step.done").map((e) => e.address)).toEqual(["VirtualMachine/ka@guest"]);
    expect((await w.store.read()).resources["VirtualMachine/kb@guest"]!.externalId).toBe(`VirtualMachine/kb#${old}`);
  });

  it("accepts the new key once it is pinned", async () => {
    await w.write({ "b.yaml": vm("kb", "").replace("      connectTimeout: 5s\n", `      connectTimeout: 5s\n      hostKey: "${hostKeyOf("kb")}"\n`) });
    const r = await w.reconcile({ apply: true });
    expect(step(r.plan, "VirtualMachine/kb@guest")).toMatchObject({ action: "update", changes: [expect.objectContaining({ path: "ssh.hostKey", after: hostKeyOf("kb") })] });
    expect(r.events.filter((e) => e.type === "step.failed")).toEqual([]);
    expect((await w.store.read()).resources["VirtualMachine/kb@guest"]!.externalId).toBe(`VirtualMachine/kb#${hostKeyOf("kb")}`);
  });

  it("reports a hung guest as a timeout and a refused key as an authentication failure, per resource", async () => {
    w.guests.admin.hang("ka", true);
    const wrong = generateEd25519().private;
    await w.write({ "b.yaml": vm("kb", "").replace("privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }\n      connectTimeout", "privateKey: { env: WRONG_KEY }\n      connectTimeout") });
    w.env.WRONG_KEY = wrong;
    try {
      const r = await w.reconcile();
      expect(step(r.plan, "VirtualMachine/ka@guest").error).toMatchObject({ code: "GUEST_TIMEOUT" });
      expect(step(r.plan, "VirtualMachine/kb@guest").error).toMatchObject({ code: "GUEST_AUTH_FAILED" });
      expect(step(r.plan, "VirtualMachine/kb@guest").error.message).toContain("as ubuntu");
      expect(JSON.stringify(r.plan)).not.toContain(wrong.split("\n")[1]!);
      expect(step(r.plan, "VirtualMachine/ka").action).toBe("noop");
    } finally {
      w.guests.admin.hang("ka", false);
      delete w.env.WRONG_KEY;
      await w.write({ "b.yaml": vm("kb", "") });
    }
  });
});
