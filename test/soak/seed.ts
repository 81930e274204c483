/**
 * The seed of a soak trial: `SOAK_SEED` replays one, otherwise a fresh one is drawn. It is printed
 * first, so any failure can be replayed (the choices — manifests, kill delays, mutations — follow
 * from it; the exact instant a kill lands still depends on the machine's speed).
 */
import { SeededRandom } from "../../src/sim/knobs.js";

/** The seed and a generator for one trial; `label` names the trial in the printed line. */
export function soakRandom(label: string): { seed: number; random: SeededRandom } {
  const given = process.env.SOAK_SEED;
  const seed = given !== undefined && given !== "" ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 31);
  console.log(`[soak] ${label}: seed ${seed} (replay with SOAK_SEED=${seed})`);
  return { seed, random: new SeededRandom(seed) };
}

/** Prints one summary line of a trial (collected into the README's Reliability section). */
export function report(label: string, fields: Record<string, unknown>): void {
  console.log(`[soak] ${label}: ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(" ")}`);
}
