import { describe, expect, it } from "vitest";
import { DaemonMetrics } from "../../../src/daemon/metrics.js";

describe("daemon metrics names", () => {
  it("process metrics carry the vmsync_ prefix once (vmsync_process_…, not vmsync_process_process_…)", async () => {
    const { body } = await new DaemonMetrics().render();
    expect(body).toMatch(/^vmsync_process_cpu_seconds_total /m);
    expect(body).toMatch(/^vmsync_nodejs_heap_size_total_bytes /m);
    expect(body).not.toMatch(/process_process_|vmsync_process_nodejs_/);
  });
});
