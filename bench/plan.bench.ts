import { bench, describe } from "vitest";
import { Scenario } from "../test/helpers/scenario.js";

/**
 * The pure planner at fleet sizes: desired, observed and state of N VMs, a tenth of them changed.
 * Run with `npm run bench`; results land in bench/results/latest.json.
 */
function fleet(n: number): Scenario {
  const s = new Scenario();
  for (let i = 0; i < n; i++) {
    s.vm(`vm-${i}`, { cores: i % 10 === 0 ? 4 : 1, tags: ["fleet", `rack-${i % 8}`] });
    s.managed(s.exists(`vm-${i}`, { owned: true, tags: ["fleet", `rack-${i % 8}`] }));
  }
  return s;
}

describe("planner", () => {
  for (const n of [100, 1000, 5000]) {
    const s = fleet(n);
    bench(`plan ${n} VMs (10% changed)`, () => {
      s.plan();
    }, { iterations: n >= 5000 ? 5 : 20 });
  }
});
