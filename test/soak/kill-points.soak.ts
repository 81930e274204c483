/**
 * Soak: `vmsync apply` killed with SIGKILL at seeded points while it creates, updates and deletes
 * VMs on all three providers (`vmsync sim` as a process). After each kill the next applies must
 * converge, and the providers — read through their own APIs — must hold each desired VM exactly
 * once, on its provider, with the manifest's fields, and nothing else carrying the stack's marker;
 * state must list exactly the desired VMs with no pending create, and a second plan must be empty.
 * Runs rounds until SOAK_KILLS (default 100) kills landed on a running apply.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FleetModel } from "./fleet-model.js";
import { report, soakRandom } from "./seed.js";
import { Trial } from "./trial.js";

const KILLS = Number(process.env.SOAK_KILLS ?? 100);
const MAX_ROUNDS = Math.ceil(KILLS * 1.6);

let root: string;
let trial: Trial;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vmsync-soak-kill-"));
  trial = new Trial(root);
  await trial.startSims(["--task-ms", "1000"]);
});
afterAll(async () => {
  await trial?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

it(`converges after ${KILLS} kill -9 points across creates, updates and deletes on all three providers`, async () => {
  const { seed, random } = soakRandom("kill-points");
  const fleet = new FleetModel(random);
  const t0 = Date.now();
  let stepsMs = 2000; // running estimate of how long an apply's steps take on this machine
  const tally = { rounds: 0, kills: 0, finishedBeforeKill: 0, phases: {} as Record<string, number>, byKind: {} as Record<string, number>, creates: 0, updates: 0, deletes: 0, convergeRuns: 0, extraApplies: 0 };
  while (tally.kills < KILLS && tally.rounds < MAX_ROUNDS) {
    const round = tally.rounds++;
    const change = fleet.next();
    tally.creates += change.created.length;
    tally.updates += change.updated.length;
    tally.deletes += change.deleted.length;
    await trial.write(fleet);
    // four kills in five land among the steps (a share of how long steps took lately after the first
    // one starts), the rest anywhere from the start of the process
    const anchor = random.chance(0.8) ? "first-step" : "start";
    const delay = Math.round(anchor === "first-step" ? random.next() * 0.9 * stepsMs : 200 + random.int(6000));
    const kill = await trial.killedApply(anchor, delay);
    if (kill.stepsMs !== undefined) stepsMs = (stepsMs * 3 + kill.stepsMs) / 4;
    const code = kill.code;
    tally.phases[kill.phase] = (tally.phases[kill.phase] ?? 0) + 1;
    if (code === null) {
      tally.kills++;
      tally.byKind[change.kind] = (tally.byKind[change.kind] ?? 0) + 1;
    } else tally.finishedBeforeKill++;
    const { runs, outputs } = await trial.converge();
    tally.convergeRuns += runs;
    tally.extraApplies += runs - 1;
    const problems = await trial.check(fleet);
    if (round % 10 === 9) report("kill-points progress", { round: round + 1, kills: tally.kills, minutes: ((Date.now() - t0) / 60_000).toFixed(1) });
    if (problems.length) {
      throw new Error(`seed ${seed}, round ${round} (${change.kind}: +${change.created.join(",")} ~${change.updated.join(",")} -${change.deleted.join(",")}; kill ${delay} ms after the ${anchor === "start" ? "start" : "first step"}, ${kill.phase}, exit ${code}):\n  ${problems.join("\n  ")}\n${outputs.join("\n")}`);
    }
  }
  report("kill-points", { seed, ...tally, minutes: ((Date.now() - t0) / 60_000).toFixed(1) });
  expect(tally.kills).toBeGreaterThanOrEqual(KILLS);
});
