import { describe, expect, it } from "vitest";
import { guestProvider } from "../../../src/guest/provider.js";
import type { DesiredResource } from "../../../src/manifest/model.js";
import type { ObservedResource } from "../../../src/providers/contract.js";
import { plan } from "../../../src/reconcile/plan.js";
import { renderPlanHuman } from "../../../src/reconcile/render/human.js";
import { Scenario } from "../../helpers/scenario.js";

const plain = { bold: (s: string) => s, dim: (s: string) => s, red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, cyan: (s: string) => s, magenta: (s: string) => s };

/** A scenario with a VM `web` and its guest resource `web@guest` (state records as given). */
function withGuest(s: Scenario, guestObserved?: Partial<ObservedResource>, record = true) {
  const vm = s.desired.find((r) => r.address === "VirtualMachine/web")!;
  const guest: DesiredResource = {
    ...vm, address: "VirtualMachine/web@guest", provider: "guest", attachmentOf: "VirtualMachine/web", dependsOn: ["VirtualMachine/web"],
    spec: { ...vm.spec, guest: { ssh: { user: "ubuntu", privateKey: { env: "K" } } } } as never,
  };
  s.desired.push(guest);
  const spec = guestProvider.canonicalize(guest, undefined as never);
  if (record) s.state.resources[guest.address] = { address: guest.address, kind: "VirtualMachine", provider: "guest", externalId: "VirtualMachine/web#SHA256:old", appliedSpec: spec, protect: false, appliedAt: "2026-01-01T00:00:00Z", origin: "created", dependsOn: ["VirtualMachine/web"] };
  const observed: ObservedResource[] = guestObserved ? [{ kind: "VirtualMachine", externalId: "VirtualMachine/web#SHA256:old", name: "web", marker: { stack: s.stack, address: guest.address }, spec, ...guestObserved }] : [];
  return plan({
    stack: s.stack, desired: s.desiredState(), state: s.state,
    observed: new Map([["pve", s.provider.observed()], ["guest", observed]]),
    providers: new Map<string, never>([["pve", s.provider as never], ["guest", guestProvider as never]]),
  });
}

describe("planner: objects that cannot be read, and objects that live inside their parent", () => {
  it("shows an unreadable guest as an error of its own: nothing planned on it, no drift, nothing blocked", () => {
    const s = new Scenario().inSync("web").vm("db");
    const p = withGuest(s, { spec: {}, error: { code: "GUEST_TIMEOUT", message: "cannot reach the guest of VirtualMachine/web at 10.0.0.5:22: timed out" } });
    const g = p.steps.find((x) => x.address === "VirtualMachine/web@guest")!;
    expect(g).toMatchObject({ action: "noop", reasonCode: "unreadable", error: { code: "GUEST_TIMEOUT" } });
    expect(p.drift).toEqual([]);
    expect(p.errors).toEqual([]);
    expect(p.summary).toEqual({ create: 1, update: 0, replace: 0, delete: 0 });
    const text = renderPlanHuman(p, plain as never);
    expect(text).toContain("! VirtualMachine/web@guest");
    expect(text).toContain("error: VirtualMachine/web@guest could not be read: cannot reach the guest of VirtualMachine/web at 10.0.0.5:22: timed out\n  hint: The machine did not answer SSH in time");
  });

  it("plans the guest again as a create when its VM is replaced or created", () => {
    const s = new Scenario().vm("web", { node: "pve2", lifecycle: { updatePolicy: "replace-allowed" } });
    s.managed(s.exists("web", { owned: true }));
    const p = withGuest(s, {});
    expect(p.steps.map((x) => [x.address, x.action, x.reasonCode])).toEqual([
      ["VirtualMachine/web", "replace", "replace-immutable"],
      ["VirtualMachine/web@guest", "create", "follows-parent"],
    ]);
    expect(p.steps[1]!.externalId).toBeUndefined();
  });

  it("leaves the guest alone when its VM's replacement is blocked", () => {
    const s = new Scenario().vm("web", { node: "pve2" });
    s.managed(s.exists("web", { owned: true }));
    const p = withGuest(s, {});
    expect(p.steps.map((x) => [x.address, x.action, x.blocked ?? false])).toEqual([["VirtualMachine/web", "replace", true], ["VirtualMachine/web@guest", "noop", false]]);
  });
});
