import { afterEach, describe, expect, it } from "vitest";
import { openFileStateStore } from "../../../src/state/file-store.js";
import { sampleRecord } from "../../helpers/state-contract.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { runInProcess } from "../../integration/state-postgres/cli-io.js";

describe("vmsync state list", () => {
  let tree: TempTree | undefined;
  afterEach(async () => tree?.cleanup());

  it("prints a header naming the columns, then one row per resource (status: protected, failed step, pending create)", async () => {
    tree = await tempTree({ "m.yaml": "# manifests\n" });
    const store = await openFileStateStore(tree.dir);
    await store.commit([
      { type: "putResource", record: sampleRecord("web", { externalId: "pve1/101" }) },
      { type: "putResource", record: sampleRecord("db", { externalId: "pve1/102", protect: true }) },
      { type: "putResource", record: sampleRecord("app", { externalId: "pve1/103", failedStep: { runId: "r", action: "update", at: "2026-01-02T03:04:05.000Z", error: "boom", changing: ["memory"] } }) },
      { type: "putPending", pending: { address: "VirtualMachine/new", kind: "VirtualMachine", provider: "pve", marker: "m", startedAt: "2026-01-02T00:00:00.000Z", runId: "r" } },
    ]);
    await store.close();
    const r = await runInProcess(["state", "list"], { cwd: tree.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "ADDRESS\tPROVIDER\tID\tSTATUS\n" +
        "VirtualMachine/app\tpve\tpve1/103\tupdate failed at 2026-01-02T03:04:05.000Z\n" +
        "VirtualMachine/db\tpve\tpve1/102\tprotected\n" +
        "VirtualMachine/web\tpve\tpve1/101\t\n" +
        "VirtualMachine/new\tpve\t-\tcreate pending since 2026-01-02T00:00:00.000Z\n",
    );
    const bare = await runInProcess(["state", "list", "--no-headers"], { cwd: tree.dir });
    expect(bare.stdout.split("\n")[0]).toBe("VirtualMachine/app\tpve\tpve1/103\tupdate failed at 2026-01-02T03:04:05.000Z");
  });
});
