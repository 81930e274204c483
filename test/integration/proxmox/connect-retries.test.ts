/**
 * Found by the fault soak (#17): at a fault rate of 0.3 a run failed at connect, because the
 * connection check (`GET /version`) was tried only three times while every other request gets the
 * client's usual retries. Now a flaky API is retried at connect like anywhere else.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { SeededRandom } from "../../../src/sim/knobs.js";
import { connect, providerYaml, startWorld, type World } from "./helpers.js";

let w: World;
beforeAll(async () => {
  w = await startWorld();
  await w.write({ "providers.yaml": providerYaml() });
});
afterAll(async () => w.stop());

/** A seed whose fault sequence (rate 0.5) fails the first `n` requests and lets the next one through. */
function seedFailingFirst(n: number): number {
  for (let seed = 1; ; seed++) {
    const r = new SeededRandom(seed);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      ok = r.chance(0.5);
      r.int(2); // which fault (GET: 596 or 599)
    }
    if (ok && !r.chance(0.5)) return seed;
  }
}

it("a connection check answered with transient errors three times in a row still connects", async () => {
  w.sim.setKnobs({ faultRate: 0.5, seed: seedFailingFirst(3) });
  try {
    const session = await connect(w, await w.load());
    await session.close();
  } finally {
    w.sim.setKnobs({ faultRate: 0 });
  }
});
