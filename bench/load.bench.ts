import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { loadManifests } from "../src/manifest/load.js";
import { proxmoxProvider, vm } from "../test/helpers/manifests.js";

/** Loading and validating a manifest tree of N VMs spread over files of 100 documents. */
function tree(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), "vmsync-bench-"));
  writeFileSync(join(dir, "provider.yaml"), proxmoxProvider);
  for (let f = 0; f < n / 100; f++) {
    const docs = Array.from({ length: 100 }, (_, i) => vm(`vm-${f * 100 + i}`, "  tags: [fleet]\n"));
    writeFileSync(join(dir, `vms-${f}.yaml`), docs.join("---\n"));
  }
  return dir;
}

describe("loader", () => {
  for (const n of [100, 1000]) {
    const dir = tree(n);
    bench(`load ${n} VM manifests`, async () => {
      const r = await loadManifests([dir]);
      if (r.errors) throw new Error("bench manifests are invalid");
    }, { iterations: 10 });
  }
});
