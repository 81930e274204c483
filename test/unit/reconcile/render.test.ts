import { readFile, writeFile } from "node:fs/promises";
import pc from "picocolors";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { planToJson } from "../../../src/reconcile/render/json.js";
import { renderPlanHuman } from "../../../src/reconcile/render/human.js";
import { renderPlanMarkdown } from "../../../src/reconcile/render/markdown.js";
import { extraSchemaFiles } from "../../../src/schemas.js";
import { Scenario } from "../../helpers/scenario.js";

/**
 * Golden files of the rendered plan (human, JSON, markdown). Regenerate on purpose with
 * UPDATE_GOLDEN=1 npx vitest run test/unit/reconcile/render.test.ts, and review the diff.
 */
async function golden(name: string, actual: string): Promise<void> {
  const path = `test/golden/${name}`;
  if (process.env.UPDATE_GOLDEN) await writeFile(path, actual);
  expect(actual, `${path} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(await readFile(path, "utf8").catch(() => ""));
}

function mixedPlan() {
  const s = new Scenario().vm("new-vm", { tags: ["web"] }).vm("grow", { memory: "4GiB", cores: 2 }).vm("move", { node: "pve2", lifecycle: { updatePolicy: "replace-allowed" } });
  s.managed(s.exists("grow", { owned: true, id: "pve1/101" }));
  s.managed(s.exists("move", { owned: true, id: "pve1/102" }));
  s.managed(s.exists("old", { owned: true, id: "pve1/103" }));
  const drifted = s.exists("drifted", { owned: true, id: "pve1/104" });
  s.managed(drifted);
  s.vm("drifted");
  drifted.spec.cores = 6;
  return s.plan({ allowMassDelete: true });
}

describe("rendered plans", () => {
  it("human", async () => {
    await golden("plan-mixed.txt", renderPlanHuman(mixedPlan(), pc.createColors(false)));
  });

  it("human, no changes", async () => {
    await golden("plan-empty.txt", renderPlanHuman(new Scenario().inSync("web").plan(), pc.createColors(false)));
  });

  it("human, blocked", async () => {
    const s = new Scenario().vm("db", { node: "pve2", disks: ["4GiB"] });
    s.managed(s.exists("db", { owned: true, id: "pve1/100" }));
    await golden("plan-blocked.txt", renderPlanHuman(s.plan(), pc.createColors(false)));
  });

  it("markdown", async () => {
    await golden("plan-mixed.md", renderPlanMarkdown(mixedPlan()));
  });

  it("JSON, valid against schemas/plan.schema.json", async () => {
    const json = planToJson(mixedPlan());
    await golden("plan-mixed.json", JSON.stringify(json, null, 2) + "\n");
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(extraSchemaFiles()["plan.schema.json"]!);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it("drift shows units as plans do: MiB sizes as 4GiB, Azure's GiB fields in GiB, nested sizes too", () => {
    const s = new Scenario().vm("db", { memory: "4GiB" });
    const obj = s.exists("db", { owned: true, memory: "4GiB" });
    s.managed(obj);
    obj.spec = { ...obj.spec, memory: 8192, disks: [{ size: 16384 }], osDisk: { sizeGB: 128 } };
    s.state.resources["VirtualMachine/db"]!.appliedSpec = { ...(s.state.resources["VirtualMachine/db"]!.appliedSpec as object), osDisk: { sizeGB: 64 } };
    const p = s.plan();
    const human = renderPlanHuman(p, pc.createColors(false));
    expect(human).toContain("! VirtualMachine/db: memory was 4GiB, is now 8GiB");
    expect(human).toContain("! VirtualMachine/db: disks[0].size was 8GiB, is now 16GiB");
    expect(human).toContain("! VirtualMachine/db: osDisk.sizeGB was 64GiB, is now 128GiB");
    const md = renderPlanMarkdown(p);
    expect(md).toContain("`memory` was `4GiB`, is now `8GiB`");
    expect(human).toContain("~ memory: 8GiB → 4GiB");
  });

  it("masks sensitive values in every view", () => {
    const s = new Scenario().vm("web");
    const p = s.plan();
    p.steps[0]!.changes.push({ path: "password", before: "old-secret", after: "new-secret", effect: "in-place" });
    p.steps[0]!.desired = { ...p.steps[0]!.desired, password: "hunter2" };
    const all = renderPlanHuman(p, pc.createColors(false)) + renderPlanMarkdown(p) + JSON.stringify(planToJson(p));
    for (const secret of ["old-secret", "new-secret", "hunter2"]) expect(all).not.toContain(secret);
    expect(all).toContain("(sensitive)");
  });
});
