import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, invokedCommand } from "../../src/cli/commands/index.js";
import { Command } from "commander";
import { BIN } from "../helpers/cli.js";
import { startDemoWorld, type DemoWorld } from "../helpers/demo-world.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

const RECORDER = fileURLToPath(new URL("./startup/record-loads.mjs", import.meta.url));

/** Dependencies only some commands need; a run must not load them unless it uses them. */
const HEAVY = ["node_modules/ssh2/", "/dist/guest/ssh/", "node_modules/pg/", "node_modules/prom-client/", "node_modules/ws/", "node_modules/selfsigned/", "node_modules/@azure/", "node_modules/ajv/", "node_modules/axios/", "node_modules/chokidar/", "/dist/sim/", "/dist/daemon/", "/dist/state/postgres/"];

let tree: TempTree;
beforeAll(async () => {
  tree = await tempTree({});
});
afterAll(() => tree.cleanup());

/**
 * The modules `vmsync ARGS` loads (file URLs); with `script`, those `node -e SCRIPT` (ESM) loads. A
 * chunk of the bundle stands for the source modules in it (`file:///pkg/dist/…`, `…/node_modules/…`).
 */
async function loads(args: string[], script?: string, world?: { cwd: string; env: Record<string, string> }): Promise<string[]> {
  const out = tree.path(`loads-${args.join("_").replace(/[^a-z]/gi, "")}.txt`);
  await new Promise<void>((resolve, reject) => {
    const argv = script ? ["--import", RECORDER, "--input-type=module", "-e", script] : ["--import", RECORDER, BIN, ...args];
    const child = spawn(process.execPath, argv, { cwd: world?.cwd ?? tree.dir, env: { PATH: process.env.PATH ?? "", ...world?.env, VMSYNC_TEST_LOADS: out }, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
  const urls = (await readFile(out, "utf8")).split("\n").filter(Boolean);
  if (!script) expect(urls.some((u) => u.endsWith("/dist/bundle/main.cjs")), "bin/vmsync.js runs the bundle").toBe(true);
  return urls.flatMap((u) => (u.includes("/dist/bundle/") ? inChunk(u) : [u]));
}

/** What `vmsync` loads with one chunk of the bundle (scripts/bundle.mjs lists them in chunks.json). */
const CHUNKS = JSON.parse(await readFile(new URL("../../dist/bundle/chunks.json", import.meta.url), "utf8")) as Record<string, string[]>;
const inChunk = (url: string): string[] => {
  const file = url.split("/dist/bundle/")[1] ?? "";
  const modules = CHUNKS[file];
  if (!modules) throw new Error(`${url} is not a chunk of the bundle (dist/bundle/chunks.json)`);
  return modules.map((m) => `file:///pkg/${m}`);
};

/** postgres/url.js only parses state URLs (no client), so every command may load it. */
const heavy = (urls: string[]) => urls.filter((u) => HEAVY.some((h) => u.includes(h)) && !u.endsWith("/dist/state/postgres/url.js"));
const commandModules = (urls: string[]) => urls.filter((u) => /\/dist\/cli\/commands\/(?!index\.js)/.test(u));

describe("start-up loads only what the command needs", () => {
  it("`vmsync --version` loads no command and no heavy dependency", async () => {
    const urls = await loads(["--version"]);
    expect(urls.some((u) => u.endsWith("/dist/cli/main.js"))).toBe(true);
    expect(commandModules(urls)).toEqual([]);
    expect(heavy(urls)).toEqual([]);
  });

  it("`vmsync validate` loads its own command and the manifest checks, not the daemon, simulators or clients", async () => {
    const urls = await loads(["validate", "--help"]);
    expect(commandModules(urls).map((u) => u.split("/").pop())).toEqual(["validate.js"]);
    expect(heavy(urls).filter((u) => !u.includes("node_modules/ajv/"))).toEqual([]);
  });

  it("`vmsync plan --help` loads no simulator, daemon, PostgreSQL or provider SDK", async () => {
    const urls = await loads(["plan", "--help"]);
    expect(commandModules(urls).map((u) => u.split("/").pop())).toEqual(["plan.js"]);
    expect(heavy(urls).filter((u) => !u.includes("node_modules/ajv/"))).toEqual([]);
  });
});

describe("a plan on all three providers", () => {
  let world: DemoWorld;
  beforeAll(async () => {
    world = await startDemoWorld();
  });
  afterAll(() => world.close());

  it("does not make Node load its fetch implementation (undici, ~50 ms) or the Azure network SDK", async () => {
    // axios and the Azure pipeline read the lazy FormData/Request globals unless scripts/bundle.mjs's
    // SOURCE_EDITS stop them; neither client sends through fetch in Node
    const urls = await loads(["plan", world.dir, "--no-color"], undefined, { cwd: world.dir, env: { ...world.env, HOME: world.tmp.dir } });
    expect(urls.filter((u) => u.includes("node_modules/axios/"))).not.toEqual([]); // the plan did reach the providers
    expect(urls.filter((u) => u.includes("node_modules/@azure/arm-compute/"))).not.toEqual([]);
    expect(urls.filter((u) => u.includes("undici"))).toEqual([]);
    // the plan reads Azure's network with raw lists: the network SDK (two thirds of the Azure code) is for changes
    expect(urls.filter((u) => u.includes("node_modules/@azure/arm-network/"))).toEqual([]);
    // and the recorder does see it when something reads one of those globals
    expect(await loads(["fetch"], "void globalThis.FormData;")).toContain("node:internal/deps/undici/undici");
  }, 60_000);
});

describe("providers load the SSH client only when they use it", () => {
  // a plan or apply connects the providers it uses; the guest layer and Proxmox snippets load ssh2 on first use
  it.each(["proxmox", "truenas", "azure"])("the %s provider module loads no SSH client", async (type) => {
    const module = new URL(`../../dist/providers/${type}/index.js`, import.meta.url).href;
    const urls = await loads([type], `await import(${JSON.stringify(module)});`);
    expect(urls.some((u) => u.endsWith(`/dist/providers/${type}/index.js`))).toBe(true);
    expect(urls.filter((u) => u.includes("node_modules/ssh2/") || u.includes("/dist/guest/ssh/"))).toEqual([]);
  });
});

describe("the command table", () => {
  it("names each command as the module it loads registers it, in one place", async () => {
    for (const c of COMMANDS) {
      const program = new Command("vmsync");
      (await c.load())(program, () => { throw new Error("not run"); });
      expect(program.commands.map((x) => x.name())).toEqual([c.name]);
    }
  });

  it("finds the invoked command past global options and after `help`", () => {
    expect(invokedCommand(["--json", "--no-color", "plan", "x"])).toBe("plan");
    expect(invokedCommand(["help", "apply"])).toBe("apply");
    expect(invokedCommand(["--version"])).toBeUndefined();
  });
});
