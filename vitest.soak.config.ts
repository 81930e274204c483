import { defineConfig } from "vitest/config";

/**
 * The soak trials (`npm run test:soak`): long, seeded runs against `vmsync sim` processes, not part
 * of `npm test`. One file at a time (they load the machine); SOAK_SEED replays a run.
 */
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.ts"],
    testTimeout: 3 * 60 * 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
