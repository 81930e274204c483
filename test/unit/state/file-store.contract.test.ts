import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStateStoreContract } from "../../helpers/state-contract.js";
import { openFileStateStore } from "../../../src/state/file-store.js";

describeStateStoreContract("file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-state-"));
  const store = await openFileStateStore(dir);
  return {
    store,
    reopen: () => openFileStateStore(dir),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeStateStoreContract("file (named stack)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-state-"));
  const store = await openFileStateStore(dir, { stack: "prod" });
  return {
    store,
    reopen: () => openFileStateStore(dir, { stack: "prod" }),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeStateStoreContract("file (journal: every batch appended)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-state-"));
  const store = await openFileStateStore(dir, { journalAboveBytes: 0 });
  return {
    store,
    reopen: () => openFileStateStore(dir, { journalAboveBytes: 0 }),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
