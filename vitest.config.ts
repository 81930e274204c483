import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // generous: three files share two cores, and e2e tests run the CLI as processes
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most files wait on simulators and child processes rather than compute, so three run at once
    // even on a 2-core machine (vitest's default there is one at a time). VITEST_MAX_WORKERS overrides.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? "") || 3,
    // Each worker keeps its modules between files instead of importing src/ again for every file
    // (that import was over half of the suite's CPU). Files must therefore leave no global state
    // behind: fake timers are restored after each test, servers and folders are per file.
    isolate: false,
    globalSetup: ["test/global-setup.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
