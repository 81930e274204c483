import perfHooks from "node:perf_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DaemonMetrics } from "../../../src/daemon/metrics.js";

describe("daemon process metrics", () => {
  afterEach(() => vi.restoreAllMocks());

  it("start nothing that runs between scrapes (no timers, no event-loop monitor)", () => {
    const monitor = vi.spyOn(perfHooks, "monitorEventLoopDelay");
    const interval = vi.spyOn(globalThis, "setInterval");
    const timeout = vi.spyOn(globalThis, "setTimeout");
    new DaemonMetrics({ processMetrics: true });
    expect(monitor).not.toHaveBeenCalled();
    expect(interval).not.toHaveBeenCalled();
    expect(timeout).not.toHaveBeenCalled();
  });

  it("are computed at the scrape, under prom-client's default names", async () => {
    const m = new DaemonMetrics({ processMetrics: true });
    for (let i = 0; i < 1e5; i++) Math.sqrt(i); // some CPU
    const { body } = await m.render();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(body)?.[1]);
    expect(value("vmsync_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(value("vmsync_process_resident_memory_bytes")).toBeGreaterThan(1e6);
    expect(value("vmsync_nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(value("vmsync_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(value("vmsync_process_start_time_seconds")).toBeLessThanOrEqual(Date.now() / 1000);
    expect(body).toMatch(/vmsync_nodejs_version_info\{version="v\d+/);
    if (process.platform === "linux") expect(value("vmsync_process_open_fds")).toBeGreaterThan(2);
  });
});
