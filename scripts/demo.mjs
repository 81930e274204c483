#!/usr/bin/env node
// The main job of the quick start: start the built-in simulators, then validate, plan and apply
// examples/clusters/demo against them, and plan once more to show that nothing is left to do.
// Works on a fresh checkout after `npm ci` (which compiles dist/). No shell is involved.
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin", "vmsync.js");
const work = await mkdtemp(join(tmpdir(), "vmsync-demo-"));
const manifests = join(work, "demo");
await cp(join(repo, "examples", "clusters", "demo"), manifests, { recursive: true });

// colour as vmsync itself decides it: only on a terminal, never with NO_COLOR (FORCE_COLOR forces it)
const { wantsColor } = await import(new URL("../dist/cli/io.js", import.meta.url).href);
const bold = wantsColor({}, process.stdout, process.env) ? (s) => `\u001b[1m${s}\u001b[0m` : (s) => s;

function say(text) {
  process.stdout.write(`\n${bold(`$ ${text}`)}\n`);
}

function vmsync(args, env) {
  say(`vmsync ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env, stdio: "inherit" });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

say(`vmsync sim --dir ${join(work, "sim")} &`);
const sim = spawn(process.execPath, [bin, "sim", "--dir", join(work, "sim")], { cwd: work, stdio: ["ignore", "pipe", "inherit"] });
const line = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: sim.stdout });
  rl.once("line", resolve);
  sim.once("close", (code) => reject(new Error(`the simulators exited (${code}) before they were ready; are ports 18006, 18443 and 18444 free?`)));
});
const announcement = JSON.parse(line);
console.log(`simulators ready: ${Object.entries(announcement).map(([n, a]) => `${n} ${a.endpoint}`).join(", ")}`);

const env = { ...process.env };
const { simEnvironment } = await import(new URL("../dist/sim/run-all.js", import.meta.url).href);
Object.assign(env, simEnvironment(announcement));
env.VMSYNC_SIM_TRUENAS_DISPLAY_PASSWORD = "demo-display-secret";
env.VMSYNC_DEMO_CT_ROOT_PASSWORD = "demo-container-secret";

let code = 0;
try {
  for (const args of [["validate", "demo"], ["plan", "demo"], ["apply", "demo", "--auto-approve"]]) {
    code = await vmsync(args, env);
    if (code !== 0) throw new Error(`vmsync ${args[0]} exited with ${code}`);
  }
  code = await vmsync(["plan", "demo", "--detailed-exitcode"], env);
  if (code !== 0) throw new Error(`the second plan is not empty (exit ${code})`);
  // a VM's addresses (from the Proxmox guest agent) and the record of its guest (host key trusted on first use)
  for (const address of ["VirtualMachine/web-1", "VirtualMachine/web-1@guest"]) {
    code = await vmsync(["state", "-C", "demo", "show", address], env);
    if (code !== 0) throw new Error(`vmsync state show ${address} exited with ${code}`);
  }
  console.log("\nDemo complete: applied, and a second plan finds nothing to change.");
} catch (err) {
  console.error(`\ndemo failed: ${err.message}`);
  code = code || 1;
} finally {
  sim.kill("SIGTERM");
  await new Promise((r) => sim.once("close", r));
  await rm(work, { recursive: true, force: true });
}
process.exit(code);
