import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { compileDefaults } from "../../../src/manifest/defaults.js";
import { loadManifests } from "../../../src/manifest/load.js";
import { ContainerSpec, NfsShareSpec, SnapshotScheduleSpec, VirtualMachineSpec } from "../../../src/manifest/schema/index.js";
import { SeededRandom } from "../../../src/sim/knobs.js";

const SCHEMAS: Record<string, TSchema> = { VirtualMachine: VirtualMachineSpec, Container: ContainerSpec, NfsShare: NfsShareSpec, SnapshotSchedule: SnapshotScheduleSpec };

/** Copies of `spec` with fields taken out at random (at any depth), so that defaults fill them in. */
function variants(spec: unknown, r: SeededRandom, n: number): unknown[] {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(() => r.int(3) !== 0).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return [spec, {}, ...Array.from({ length: n }, () => strip(spec))];
}

describe("compiled schema defaults", () => {
  it("give what TypeBox's Value.Default gives, for the examples' specs and parts of them", async () => {
    const r = new SeededRandom(42);
    let compared = 0;
    for (const dir of ["demo", "homelab", "azure-dev"]) {
      const { desired } = await loadManifests([`examples/clusters/${dir}`]);
      for (const res of desired.resources) {
        const schema = SCHEMAS[res.kind];
        if (!schema) continue;
        const fill = compileDefaults(schema);
        for (const v of variants(res.spec, r, 20)) {
          expect(fill(structuredClone(v)), `${res.address} ${JSON.stringify(v)}`).toEqual(Value.Default(schema, structuredClone(v)));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it("fills defaults below objects and arrays, merges an object default under a given object, and leaves other values alone", () => {
    const fill = compileDefaults(ContainerSpec);
    const filled = fill({ provider: "pve", rootfs: { storage: "local-lvm" }, mountPoints: {} }) as Record<string, unknown>;
    expect(filled).toEqual(Value.Default(ContainerSpec, { provider: "pve", rootfs: { storage: "local-lvm" }, mountPoints: {} }));
    expect((filled.rootfs as { size?: string }).size).toBe("4GiB");
    expect(fill("not an object")).toBe("not an object");
  });
});
