import { readdir } from "node:fs/promises";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The daemon's process metrics, computed when `/metrics` is scraped and at no other time: nothing
 * runs between scrapes, so an idle daemon stays idle (prom-client's `collectDefaultMetrics` keeps an
 * event-loop-delay monitor that wakes the process every 10 ms — most of an idle daemon's CPU).
 * Names are prom-client's default ones behind `prefix`, so dashboards keep working; the event-loop
 * lag is measured at the scrape (how late a `setImmediate` runs), as prom-client did before it had
 * the monitor. Left out: GC timings and per-space heap figures.
 */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  const registers = [registry];
  let last = process.cpuUsage();
  const cpuUser = new Counter({ name: `${prefix}process_cpu_user_seconds_total`, help: "Total user CPU time spent in seconds.", registers });
  const cpuSystem = new Counter({ name: `${prefix}process_cpu_system_seconds_total`, help: "Total system CPU time spent in seconds.", registers });
  new Counter({
    name: `${prefix}process_cpu_seconds_total`, help: "Total user and system CPU time spent in seconds.", registers,
    collect() {
      const now = process.cpuUsage();
      const user = (now.user - last.user) / 1e6;
      const system = (now.system - last.system) / 1e6;
      last = now;
      cpuUser.inc(user);
      cpuSystem.inc(system);
      this.inc(user + system);
    },
  });
  new Gauge({ name: `${prefix}process_start_time_seconds`, help: "Start time of the process since unix epoch in seconds.", registers }).set(Math.round(Date.now() / 1000 - process.uptime()));
  const memory = (name: string, help: string, read: (m: NodeJS.MemoryUsage) => number) =>
    new Gauge({ name: `${prefix}${name}`, help, registers, collect() { this.set(read(process.memoryUsage())); } });
  memory("process_resident_memory_bytes", "Resident memory size in bytes.", (m) => m.rss);
  memory("nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes.", (m) => m.heapTotal);
  memory("nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes.", (m) => m.heapUsed);
  memory("nodejs_external_memory_bytes", "Node.js external memory size in bytes.", (m) => m.external);
  new Gauge({
    name: `${prefix}process_open_fds`, help: "Number of open file descriptors.", registers,
    async collect() {
      const fds = await readdir("/proc/self/fd").catch(() => undefined);
      if (fds) this.set(fds.length);
    },
  });
  new Gauge({
    name: `${prefix}nodejs_active_resources_total`, help: "Number of active resources keeping the event loop alive.", registers,
    collect() {
      this.set(process.getActiveResourcesInfo().length);
    },
  });
  new Gauge({
    name: `${prefix}nodejs_eventloop_lag_seconds`, help: "Lag of event loop in seconds, measured at the scrape.", registers,
    async collect() {
      const start = process.hrtime.bigint();
      await new Promise((resolve) => setImmediate(resolve));
      this.set(Number(process.hrtime.bigint() - start) / 1e9);
    },
  });
  const [major, minor, patch] = process.versions.node.split(".").map(Number);
  new Gauge({ name: `${prefix}nodejs_version_info`, help: "Node.js version info.", labelNames: ["version", "major", "minor", "patch"], registers })
    .set({ version: process.version, major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0 }, 1);
}
