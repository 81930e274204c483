import { registerAccessRoutes } from "./routes-access.js";
import { registerClusterRoutes } from "./routes-cluster.js";
import { registerLxcCloneRoutes } from "./routes-lxc-clone.js";
import { registerLxcConfigRoutes } from "./routes-lxc-config.js";
import { registerLxcCreateRoutes } from "./routes-lxc-create.js";
import { registerLxcDeleteRoutes } from "./routes-lxc-delete.js";
import { registerLxcResizeRoutes } from "./routes-lxc-resize.js";
import { registerLxcStatusRoutes } from "./routes-lxc-status.js";
import { registerStorageRoutes } from "./routes-storage.js";
import { registerTaskRoutes } from "./routes-tasks.js";
import { registerVmAgentRoutes } from "./routes-vm-agent.js";
import { registerVmCloneRoutes } from "./routes-vm-clone.js";
import { registerVmConfigRoutes } from "./routes-vm-config.js";
import { registerVmCreateRoutes } from "./routes-vm-create.js";
import { registerVmDeleteRoutes } from "./routes-vm-delete.js";
import { registerVmResizeRoutes } from "./routes-vm-resize.js";
import { registerVmSnapshotRoutes } from "./routes-vm-snapshot.js";
import { registerVmStatusRoutes } from "./routes-vm-status.js";
import { Router } from "./router.js";

/** The complete `/api2/json` route table of the simulator. */
export function buildRouter(): Router {
  const router = new Router();
  registerAccessRoutes(router);
  registerClusterRoutes(router);
  registerStorageRoutes(router);
  registerTaskRoutes(router);
  registerVmCreateRoutes(router);
  registerVmConfigRoutes(router);
  registerVmStatusRoutes(router);
  registerVmDeleteRoutes(router);
  registerVmCloneRoutes(router);
  registerVmResizeRoutes(router);
  registerVmSnapshotRoutes(router);
  registerLxcCreateRoutes(router);
  registerLxcConfigRoutes(router);
  registerLxcStatusRoutes(router);
  registerLxcDeleteRoutes(router);
  registerLxcCloneRoutes(router);
  registerLxcResizeRoutes(router);
  registerVmAgentRoutes(router);
  return router;
}
