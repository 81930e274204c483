/**
 * Builds the method table for a persona from the method modules. Methods a version lacks are not
 * registered, so calling them yields ENOMETHOD / -32601 like the real middleware.
 */
import type { MethodTable } from "../registry.js";
import type { Persona } from "../versions.js";
import { registerAuth } from "./auth.js";
import { registerCore } from "./core.js";
import { registerDataset } from "./dataset.js";
import { registerNfs } from "./nfs.js";
import { registerService } from "./service.js";
import { registerSnapshot } from "./snapshot.js";
import { registerSnapshotTask } from "./snapshot-task.js";
import { registerVm } from "./vm.js";
import { registerVmDevice } from "./vm-device.js";

/** Every method the persona exposes. */
export function buildMethodTable(p: Persona): MethodTable {
  const t: MethodTable = new Map();
  registerAuth(t, p);
  registerCore(t, p);
  if (p.vmApi) {
    registerVm(t, p);
    registerVmDevice(t, p);
  }
  registerDataset(t, p);
  registerNfs(t, p);
  registerService(t, p);
  registerSnapshotTask(t, p);
  registerSnapshot(t, p);
  return t;
}
