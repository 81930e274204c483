import { spawn, spawnSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registerCommands } from "../../../src/cli/commands/index.js";
import type { CliIO } from "../../../src/cli/io.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

/**
 * examples/ci as far as it can be tested here: both files are valid YAML; every `vmsync` command
 * they run exists and its flags parse (through vmsync's own command-line parser); the scripts they
 * run exist; the review gate comes after the plan it approves; Azure signs in with OIDC workload
 * identity (client id + tenant, no secret); vmsync is installed from its repository (the package
 * npm would build has the CLI in it); and the GitLab note script updates one note instead of adding
 * one per run (against a loopback stand-in of GitLab's notes API).
 */
const root = fileURLToPath(new URL("../../../", import.meta.url));
const text = (name: string) => readFileSync(`${root}examples/ci/${name}`, "utf8");
const read = (name: string) => parse(text(name), { prettyErrors: true }) as Record<string, any>;
const runs = (steps: Array<{ run?: string }>) => steps.map((s) => s.run ?? "").join("\n");

/** Sample values for the variables the examples use in vmsync command lines. */
const VARS: Record<string, string> = { VMSYNC_MANIFESTS: "clusters/prod" };

/** The `vmsync …` command lines of a shell script, as argument lists (quotes removed, variables filled in). */
export function vmsyncCommands(script: string): string[][] {
  const out: string[][] = [];
  for (const line of script.replace(/\\\n/g, " ").split("\n")) {
    for (const m of line.matchAll(/(?:^|[\s;&|(])vmsync\s+/g)) {
      const args: string[] = [];
      let word = "";
      let quote = "";
      let inWord = false;
      let i = m.index! + m[0].length;
      for (; i < line.length; i++) {
        const ch = line[i]!;
        if (quote) {
          if (ch === quote) quote = "";
          else word += ch;
          continue;
        }
        if (ch === '"' || ch === "'") { quote = ch; inWord = true; continue; }
        if (/[>|;&)#]/.test(ch)) break;
        if (/\s/.test(ch)) { if (inWord) args.push(word); word = ""; inWord = false; continue; }
        word += ch;
        inWord = true;
      }
      if (inWord) args.push(word);
      out.push(args.map((a) => a.replace(/\$\{?([A-Z_]+)\}?/g, (_, v: string) => VARS[v] ?? "x")));
    }
  }
  return out;
}

class Parsed extends Error {}

/** Parses `args` with vmsync's own commands and flags; the action never runs. Throws CommanderError on an unknown command or flag. */
async function parseWithCli(args: string[]): Promise<void> {
  const io = (): CliIO => ({ stdout: { write: () => true }, stderr: { write: () => true }, stdin: process.stdin, env: {}, cwd: root, color: undefined as never, json: false, debug: false });
  const program = new Command("vmsync").option("--no-color").option("--json").option("--debug").exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  await registerCommands(program, io, args);
  program.hook("preAction", () => {
    throw new Parsed();
  });
  const fix = (c: Command) => { c.exitOverride(); c.configureOutput({ writeOut: () => {}, writeErr: () => {} }); c.commands.forEach(fix); };
  fix(program);
  try {
    await program.parseAsync(args, { from: "user" });
    throw new Error(`vmsync ${args.join(" ")}: no command ran`);
  } catch (err) {
    if (err instanceof Parsed) return;
    throw err;
  }
}

describe("examples/ci", () => {
  const github = read("github-actions.yml");
  const gitlab = read("gitlab-ci.yml");
  const githubScripts = Object.values(github.jobs as Record<string, { steps: Array<{ run?: string }> }>).map((j) => runs(j.steps)).join("\n");
  const gitlabScripts = Object.values(gitlab).filter((j): j is { script: string[]; before_script?: string[] } => !!j && typeof j === "object" && Array.isArray((j as { script?: unknown }).script))
    .map((j) => [...(j.before_script ?? []), ...j.script].join("\n")).join("\n") + "\n" + (gitlab.default.before_script as string[]).join("\n");

  it("every vmsync command and flag they use exists and parses", async () => {
    for (const [name, script] of [["github-actions.yml", githubScripts], ["gitlab-ci.yml", gitlabScripts]] as const) {
      const commands = vmsyncCommands(script);
      expect(commands.map((c) => c[0]).sort(), name).toEqual(expect.arrayContaining(["apply", "plan", "validate"]));
      for (const args of commands) await expect(parseWithCli(args), `${name}: vmsync ${args.join(" ")}`).resolves.toBeUndefined();
    }
    // the check itself catches what it should
    await expect(parseWithCli(["plan", "x", "--detailed-exit-code"])).rejects.toBeInstanceOf(CommanderError);
    await expect(parseWithCli(["deploy", "x"])).rejects.toBeInstanceOf(CommanderError);
    expect(vmsyncCommands('  vmsync plan "$VMSYNC_MANIFESTS" -o plan.json --markdown > plan.md; code=$?')).toEqual([["plan", "clusters/prod", "-o", "plan.json", "--markdown"]]);
  });

  it("the scripts they run exist beside them", () => {
    const referenced = [...`${githubScripts}\n${gitlabScripts}`.matchAll(/\bnode\s+ci\/([\w.-]+)/g)].map((m) => m[1]!);
    expect(referenced).toContain("gitlab-plan-note.mjs");
    for (const f of referenced) {
      expect(existsSync(`${root}examples/ci/${f}`), f).toBe(true);
      expect(text("README.md")).toContain(f);
    }
  });

  it("vmsync is installed from its repository (pinned), not from the npm registry, and that package has the CLI", () => {
    for (const script of [githubScripts, gitlabScripts]) {
      expect(script).not.toMatch(/npm install --global vmsync\b/);
      expect(script).toMatch(/npm install --global "\$VMSYNC_PACKAGE"/);
    }
    for (const pkg of [github.env.VMSYNC_PACKAGE, gitlab.variables.VMSYNC_PACKAGE]) expect(pkg).toMatch(/^git\+https:\/\/github\.com\/vmsync\/vmsync\.git#v\d+\.\d+\.\d+$/);
    const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(pack.status, pack.stderr).toBe(0);
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["bin/vmsync.js", "dist/cli/main.js", "package.json", "schemas/plan.schema.json"]));
    const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(manifest.scripts.prepare).toMatch(/tsc/); // a git install builds dist/
    expect(manifest.bin.vmsync).toBe("bin/vmsync.js");
  });

  it("GitHub: plan on pull requests; on main the reviewer approves the saved plan, then exactly it is applied", () => {
    expect(Object.keys(github.on)).toEqual(["pull_request", "push"]);
    const pr = github.jobs["plan-pr"];
    expect(pr.if).toMatch(/pull_request/);
    expect(runs(pr.steps)).toMatch(/vmsync plan .*-o plan\.json.*--markdown.*--detailed-exitcode/);
    expect(runs(pr.steps)).toMatch(/gh pr comment .*--edit-last/);
    const plan = github.jobs.plan;
    const apply = github.jobs.apply;
    expect(plan.environment).toBeUndefined(); // the plan runs before anyone approves
    expect(runs(plan.steps)).toMatch(/vmsync plan .*-o plan\.json/);
    expect(plan.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact"))?.with.path).toMatch(/plan\.json/);
    expect(apply.needs).toBe("plan"); // the gate (environment) comes after the plan it approves
    expect(apply.environment).toBe("production");
    expect(runs(apply.steps)).not.toMatch(/vmsync plan/);
    const download = apply.steps.findIndex((s: any) => String(s.uses).startsWith("actions/download-artifact"));
    const applyStep = apply.steps.findIndex((s: any) => /^vmsync apply plan\.json$/m.test(s.run ?? ""));
    expect(download).toBeGreaterThanOrEqual(0);
    expect(applyStep).toBeGreaterThan(download);
    expect(apply.steps[download].with.name).toBe(plan.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact")).with.name);
    expect(JSON.stringify(github)).not.toMatch(/--auto-approve|password:/);
  });

  it("GitHub: Azure signs in with OIDC workload identity (client id + tenant, id-token permission, no secret)", () => {
    for (const name of ["plan-pr", "plan", "apply"]) {
      const job = github.jobs[name];
      expect(job.permissions["id-token"], name).toBe("write");
      const login = job.steps.find((s: any) => String(s.uses).startsWith("azure/login@"));
      expect(login?.with, name).toMatchObject({ "client-id": expect.stringContaining("AZURE_CLIENT_ID"), "tenant-id": expect.stringContaining("AZURE_TENANT_ID"), "subscription-id": expect.any(String) });
      const before = job.steps.indexOf(login);
      expect(job.steps.findIndex((s: any) => /vmsync (plan|apply)/.test(s.run ?? "")), name).toBeGreaterThan(before);
    }
    expect(text("github-actions.yml")).not.toMatch(/AZURE_CLIENT_SECRET/);
  });

  it("GitLab: plan on merge requests (one note), manual apply of the saved plan after plan:main, Azure by workload identity", () => {
    expect(gitlab.stages).toEqual(["plan", "apply"]);
    const mr = gitlab["plan:mr"];
    expect(mr.rules[0].if).toMatch(/merge_request_event/);
    expect(mr.script.join("\n")).toMatch(/vmsync plan .*-o plan\.json.*--markdown.*--detailed-exitcode/);
    expect(mr.script.join("\n")).not.toMatch(/curl .*notes/); // no note per run
    expect(mr.artifacts.paths).toContain("plan.json");
    const apply = gitlab.apply;
    expect(apply.needs).toEqual(["plan:main"]);
    expect(apply.rules[0].when).toBe("manual");
    expect(apply.script).toEqual(["vmsync apply plan.json"]);
    expect(gitlab["plan:main"].artifacts.paths).toContain("plan.json");
    expect(gitlab.default.id_tokens.AZURE_ID_TOKEN.aud).toBe("api://AzureADTokenExchange");
    expect(gitlab.default.before_script.join("\n")).toMatch(/AZURE_FEDERATED_TOKEN_FILE/);
    expect(text("gitlab-ci.yml")).not.toMatch(/AZURE_CLIENT_SECRET/);
    expect(gitlab.variables.NO_COLOR).toBe("1");
  });
});

describe("examples/ci/gitlab-plan-note.mjs (against a loopback stand-in of GitLab's notes API)", () => {
  let server: Server;
  let tree: TempTree;
  let api: string;
  const notes: Array<{ id: number; body: string }> = [{ id: 1, body: "LGTM" }, ...Array.from({ length: 120 }, (_, i) => ({ id: 100 + i, body: `chatter ${i}` }))];
  const seen: string[] = [];
  const bodyOf = async (req: IncomingMessage) => { let s = ""; for await (const c of req) s += c; return JSON.parse(s) as { body: string }; };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const url = new URL(req.url!, "http://x");
      seen.push(`${req.method} ${url.pathname}`);
      if (req.headers["private-token"] !== "glpat-test") return void res.writeHead(401).end('{"message":"401 Unauthorized"}');
      const base = "/api/v4/projects/42/merge_requests/7/notes";
      if (req.method === "GET" && url.pathname === base) {
        const page = Number(url.searchParams.get("page") ?? "1");
        const per = Number(url.searchParams.get("per_page") ?? "20");
        const slice = notes.slice((page - 1) * per, page * per);
        res.writeHead(200, { "content-type": "application/json", "x-next-page": page * per < notes.length ? String(page + 1) : "" });
        return void res.end(JSON.stringify(slice));
      }
      if (req.method === "POST" && url.pathname === base) {
        const note = { id: 9000 + notes.length, body: (await bodyOf(req)).body };
        notes.push(note);
        return void res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(note));
      }
      const m = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname);
      if (req.method === "PUT" && m) {
        const note = notes.find((n) => n.id === Number(m[1]));
        if (!note) return void res.writeHead(404).end("{}");
        note.body = (await bodyOf(req)).body;
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(note));
      }
      res.writeHead(404).end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
    tree = await tempTree({ "plan1.md": "### vmsync plan\n**Plan: 1 to create**\n", "plan2.md": "### vmsync plan\n**No changes.**\n" });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await tree.cleanup();
  });

  const post = (file: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [`${root}examples/ci/gitlab-plan-note.mjs`, file], {
        cwd: tree.dir, env: { PATH: process.env.PATH ?? "", CI_API_V4_URL: api, CI_PROJECT_ID: "42", CI_MERGE_REQUEST_IID: "7", GITLAB_API_TOKEN: "glpat-test", VMSYNC_MANIFESTS: "clusters/prod" },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });

  it("creates the note once, then updates that same note on later runs (following the pages of notes)", async () => {
    const first = await post("plan1.md");
    expect(first.code, first.out).toBe(0);
    const ours = () => notes.filter((n) => n.body.includes("vmsync-plan"));
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toMatch(/^<!-- vmsync-plan: clusters\/prod -->\n### vmsync plan\n\*\*Plan: 1 to create/);
    const second = await post("plan2.md");
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain(`updated note ${ours()[0]!.id}`);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain("No changes.");
    expect(seen.filter((s) => s.startsWith("POST"))).toHaveLength(1);
    expect(notes.find((n) => n.id === 1)!.body).toBe("LGTM"); // other notes untouched
  });
});
