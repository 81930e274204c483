import { rename, writeFile, mkdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/daemon/clock.js";
import { watchManifests, type ManifestWatcher } from "../../../src/daemon/watcher.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("manifest watcher (real chokidar)", () => {
  let tree: TempTree;
  let w: ManifestWatcher | undefined;
  afterEach(async () => {
    await w?.close();
    await tree.cleanup();
  });

  it("turns an editor's atomic save into one debounced change, and ignores state and non-manifest files", async () => {
    tree = await tempTree({ "vms.yaml": "a: 1\n" });
    const changes: string[][] = [];
    w = watchManifests({ paths: [tree.dir], cwd: tree.dir, clock: systemClock, debounceMs: 150, onChange: (f) => changes.push(f), onError: () => {} });
    await w.ready;
    await mkdir(tree.path(".vmsync"), { recursive: true });
    await writeFile(tree.path(".vmsync/state.json"), "{}");
    await writeFile(tree.path("notes.txt"), "x");
    // vim/VS Code style: write a temp file, then rename it over the manifest
    await writeFile(tree.path(".vms.yaml.swp"), "a: 2\n");
    await writeFile(tree.path("vms.yaml.tmp"), "a: 2\n");
    await rename(tree.path("vms.yaml.tmp"), tree.path("vms.yaml"));
    await writeFile(tree.path("more.yml"), "b: 1\n");
    await until(() => changes.length > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.map((p) => p.slice(tree.dir.length + 1)).sort()).toEqual(["more.yml", "vms.yaml"]);
  });
});
