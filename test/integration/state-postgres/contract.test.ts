import { describeStateStoreContract } from "../../helpers/state-contract.js";
import { openPgStateStore } from "../../../src/state/postgres/open.js";
import { adminQuery, dropStack, testPgUrl, uniqueName } from "./pg-env.js";

describeStateStoreContract("postgres", async () => {
  const stack = uniqueName("contract");
  const store = await openPgStateStore(testPgUrl(), { stack });
  return {
    store,
    reopen: () => openPgStateStore(testPgUrl(), { stack }),
    cleanup: async () => {
      await store.close();
      await dropStack(stack);
    },
  };
});

describeStateStoreContract("postgres (own schema)", async () => {
  const schema = uniqueName("vmsync_contract").toLowerCase();
  const store = await openPgStateStore(testPgUrl(), { stack: "prod", schema });
  return {
    store,
    reopen: () => openPgStateStore(testPgUrl(), { stack: "prod", schema }),
    cleanup: async () => {
      await store.close();
      await adminQuery(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
});
