// Preloaded into a CLI run (`node --import rusage.mjs bin/vmsync.js …`): at exit, writes the
// process's resource usage (peak RSS in KiB, user and system CPU in µs) to VMSYNC_BENCH_RUSAGE_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.VMSYNC_BENCH_RUSAGE_FILE;
if (file) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: u.maxRSS, userCpuUs: u.userCPUTime, systemCpuUs: u.systemCPUTime }));
  });
}
