// Preload (`node --import record-loads.mjs bin/vmsync.js …`): records the URL of every module the
// run loads, one per line, in the file named by VMSYNC_TEST_LOADS.
import { register } from "node:module";

register(new URL("./record-loads-hooks.mjs", import.meta.url), { data: { out: process.env.VMSYNC_TEST_LOADS } });
