import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const read = (name: string) => parse(readFileSync(new URL(`../../../examples/ci/${name}`, import.meta.url), "utf8"), { prettyErrors: true }) as Record<string, any>;
const scripts = (steps: Array<{ run?: string }>) => steps.map((s) => s.run ?? "").join("\n");

describe("examples/ci", () => {
  it("GitHub Actions: plans pull requests (markdown comment, JSON artefact, detailed exit code) and applies the saved plan on main", () => {
    const wf = read("github-actions.yml");
    expect(Object.keys(wf.on)).toEqual(["pull_request", "push"]);
    expect(wf.on.push.branches).toEqual(["main"]);
    const plan = wf.jobs.plan;
    expect(plan.if).toMatch(/pull_request/);
    const planRun = scripts(plan.steps);
    expect(planRun).toMatch(/vmsync plan .*-o plan\.json.*--markdown.*--detailed-exitcode/);
    expect(planRun).toMatch(/-eq 1/);
    expect(plan.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact"))?.with.path).toMatch(/plan\.json/);
    expect(planRun).toMatch(/gh pr comment .*--body-file plan\.md/);
    expect(plan.permissions["pull-requests"]).toBe("write");
    const apply = wf.jobs.apply;
    expect(apply.if).toMatch(/push/);
    expect(apply.environment).toBe("production");
    expect(scripts(apply.steps)).toMatch(/vmsync plan .*-o plan\.json/);
    expect(scripts(apply.steps)).toMatch(/^vmsync apply plan\.json$/m);
    expect(wf.env.PVE_TOKEN_SECRET).toBe("${{ secrets.PVE_TOKEN_SECRET }}");
    expect(wf.env.VMSYNC_STATE_URL).toBeDefined();
    expect(JSON.stringify(wf)).not.toMatch(/password:|--auto-approve/);
  });

  it("GitLab CI: plans merge requests (note, artefact, detailed exit code) and applies the saved plan on the default branch", () => {
    const ci = read("gitlab-ci.yml");
    expect(ci.stages).toEqual(["plan", "apply"]);
    const mr = ci["plan:mr"];
    expect(mr.rules[0].if).toMatch(/merge_request_event/);
    const mrScript = mr.script.join("\n");
    expect(mrScript).toMatch(/vmsync plan .*-o plan\.json.*--markdown.*--detailed-exitcode/);
    expect(mrScript).toMatch(/merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
    expect(mr.artifacts.paths).toContain("plan.json");
    const apply = ci.apply;
    expect(apply.needs).toEqual(["plan:main"]);
    expect(apply.rules[0].if).toMatch(/CI_DEFAULT_BRANCH/);
    expect(apply.script).toEqual(["vmsync apply plan.json"]);
    expect(ci["plan:main"].artifacts.paths).toContain("plan.json");
    expect(ci.variables.NO_COLOR).toBe("1");
  });
});
