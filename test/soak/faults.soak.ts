/**
 * Soak: applies against simulators that fail a share of requests with the transient errors the real
 * APIs give (Proxmox 5xx/lock timeouts, TrueNAS EBUSY/too many calls, ARM 429/503), at fault rates
 * 0.1 and 0.3, 20 runs each, every run creating, updating or deleting VMs on all three providers.
 * Each run must converge (retries absorb most faults; a run whose steps failed for good is
 * applied again), and then hold at the providers exactly what the manifests say (no duplicates, no
 * orphans with the stack's marker, the manifests' fields), in state, and in an empty second plan.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetModel } from "./fleet-model.js";
import { report, soakRandom } from "./seed.js";
import { Trial } from "./trial.js";

const RUNS = Number(process.env.SOAK_FAULT_RUNS ?? 20);

let root: string;
let trial: Trial;
const { seed, random } = soakRandom("faults");
const fleet = new FleetModel(random);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vmsync-soak-faults-"));
  trial = new Trial(root);
});
afterAll(async () => {
  await trial?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("applies under injected faults", () => {
  for (const rate of [0.1, 0.3]) {
    it(`fault rate ${rate}: ${RUNS} runs converge with what the manifests say at the providers`, async () => {
      await trial.startSims(["--fault-rate", String(rate), "--seed", String(seed), "--task-ms", "100"]);
      const t0 = Date.now();
      const tally = { runs: 0, firstApplySucceeded: 0, appliesNeeded: [] as number[], planRetries: 0, creates: 0, updates: 0, deletes: 0 };
      const planRetriesBefore = trial.planRetries;
      for (let run = 0; run < RUNS; run++) {
        const change = fleet.next();
        tally.creates += change.created.length;
        tally.updates += change.updated.length;
        tally.deletes += change.deleted.length;
        await trial.write(fleet);
        const { runs, outputs } = await trial.converge(8);
        tally.runs++;
        if (runs === 1) tally.firstApplySucceeded++;
        tally.appliesNeeded.push(runs);
        const problems = await trial.check(fleet, 3);
        if (problems.length) throw new Error(`seed ${seed}, fault rate ${rate}, run ${run} (${change.kind}):\n  ${problems.join("\n  ")}\n${outputs.join("\n")}`);
      }
      tally.planRetries = trial.planRetries - planRetriesBefore;
      report(`faults ${rate}`, { seed, ...tally, minutes: ((Date.now() - t0) / 60_000).toFixed(1) });
      expect(tally.runs).toBe(RUNS);
    });
  }
});
