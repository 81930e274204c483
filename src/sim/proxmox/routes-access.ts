import { sleep } from "../knobs.js";
import { PveError } from "./errors.js";
import { Reply, type Router } from "./router.js";
import { P, str, validate } from "./schema.js";

/** The PVE version the simulator claims to be. */
export const PVE_VERSION = { version: "9.1.3", release: "9.1", repoid: "e5010dc3" };

/**
 * Authentication endpoints: `POST /access/ticket` (login and renewal with the current ticket as
 * password; form or JSON; wrong credentials → 401 `authentication failure` with a JSON body after the
 * unauthorized delay), `GET /access/ticket`, `GET /access/domains`, plus `GET /version`.
 */
export function registerAccessRoutes(router: Router): void {
  router.add(
    "POST",
    "/access/ticket",
    async ({ sim, input }) => {
      const p = validate(input, {
        props: {
          username: { type: "string", maxLength: 64 },
          password: { type: "string" },
          realm: P.optStr,
          otp: P.optStr,
          "tfa-challenge": P.optStr,
          path: P.optStr,
          privs: P.optStr,
          "new-format": P.optBool,
        },
      });
      let username = str(p, "username")!;
      const realm = str(p, "realm");
      if (!username.includes("@") && realm) username = `${username}@${realm}`;
      if (!sim.auth.login(username, str(p, "password")!)) {
        await sleep(sim.tunables.unauthorizedDelayMs);
        throw new PveError(401, "authentication failure\n");
      }
      if (str(p, "path") !== undefined) return { username };
      const { ticket, csrf } = sim.auth.issue(username);
      const all = { "Sys.Audit": 1, "Sys.Modify": 1, "Sys.PowerMgmt": 1, "Sys.Console": 1, "Permissions.Modify": 1 };
      const data = {
        username,
        ticket,
        CSRFPreventionToken: csrf,
        clustername: sim.world.clusterName,
        cap: {
          vms: { "VM.Allocate": 1, "VM.Config.Disk": 1, "VM.Config.Network": 1, "VM.PowerMgmt": 1, "VM.Audit": 1, "VM.Clone": 1, "VM.Snapshot": 1 },
          storage: { "Datastore.Allocate": 1, "Datastore.AllocateSpace": 1, "Datastore.Audit": 1 },
          nodes: all,
          dc: { "Sys.Audit": 1, "SDN.Audit": 1 },
          access: { "User.Modify": 1, "Permissions.Modify": 1 },
        },
      };
      return new Reply(data, {}, { "Set-Cookie": `PVEAuthCookie=${encodeURIComponent(ticket)}; path=/; secure; SameSite=Lax;` });
    },
    { public: true },
  );
  router.add("GET", "/access/ticket", () => null, { public: true });
  router.add(
    "GET",
    "/access/domains",
    () => [
      { realm: "pam", type: "pam", comment: "Linux PAM standard authentication" },
      { realm: "pve", type: "pve", comment: "Proxmox VE authentication server" },
    ],
    { public: true },
  );
  router.add("GET", "/version", () => PVE_VERSION);
}
