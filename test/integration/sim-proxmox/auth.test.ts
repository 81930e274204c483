import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, form, startHarness, type Harness } from "./helpers.js";

describe("proxmox sim: authentication", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ticketLifetimeMs: 1500 });
  });
  afterAll(async () => h.stop());

  async function login(): Promise<{ ticket: string; csrf: string; username: string }> {
    const r = await h.anon.post("/access/ticket", form({ username: h.sim.credentials.username, password: h.sim.credentials.password }));
    expect(r.status).toBe(200);
    return { ticket: r.data.data.ticket, csrf: r.data.data.CSRFPreventionToken, username: r.data.data.username };
  }

  it("issues tickets in PVE's format (form body) with a CSRF token and cookie", async () => {
    const r = await h.anon.post("/access/ticket", form({ username: "root", realm: "pam", password: h.sim.credentials.password }));
    expect(r.status).toBe(200);
    expect(r.data.data.username).toBe("root@pam");
    expect(r.data.data.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::.+$/);
    expect(r.data.data.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:.+$/);
    expect(r.data.data.cap).toBeTypeOf("object");
    expect(String(r.headers["set-cookie"])).toContain("PVEAuthCookie=");
  });

  it("accepts a JSON login body", async () => {
    const r = await h.anon.post("/access/ticket", { username: "root@pam", password: h.sim.credentials.password });
    expect(r.status).toBe(200);
    expect(r.data.data.ticket).toMatch(/^PVE:root@pam:/);
  });

  it("answers a wrong password with 401 authentication failure and a JSON body", async () => {
    const r = await h.anon.post("/access/ticket", form({ username: "root@pam", password: "nope" }));
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("authentication failure");
    expect(r.data).toEqual({ data: null, message: "authentication failure\n" });
  });

  it("answers a request without credentials with 401 No ticket and an empty body", async () => {
    const r = await h.anon.get("/nodes");
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("No ticket");
    expect(r.data).toBe("");
    expect(r.headers.connection).toBe("close");
  });

  it("authenticates with the ticket cookie and with an Authorization: PVEAuthCookie header", async () => {
    const { ticket } = await login();
    const viaCookie = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` });
    const viaHeader = client(h.sim, { Authorization: `PVEAuthCookie=${ticket}` });
    expect((await viaCookie.get("/nodes")).status).toBe(200);
    expect((await viaHeader.get("/nodes")).status).toBe(200);
  });

  it("rejects forged tickets with 401 Authentication failed!", async () => {
    const bad = client(h.sim, { Cookie: "PVEAuthCookie=PVE:root@pam:66000000::Zm9yZ2Vk" });
    const r = await bad.get("/nodes");
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("Authentication failed!");
    expect(r.data).toBe("");
  });

  it("requires the CSRF token on writes with a ticket, not on reads", async () => {
    const { ticket, csrf } = await login();
    const noCsrf = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` });
    expect((await noCsrf.get("/cluster/nextid")).status).toBe(200);
    const denied = await noCsrf.post("/storage", form({ storage: "x1", type: "dir", path: "/srv/x1" }));
    expect(denied.status).toBe(401);
    expect(denied.statusText).toBe("Permission denied - invalid csrf token");
    const withCsrf = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}`, CSRFPreventionToken: csrf });
    const ok = await withCsrf.post("/storage", form({ storage: "x1", type: "dir", path: "/srv/x1" }));
    expect(ok.status).toBe(200);
    const wrongCsrf = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}`, CSRFPreventionToken: `${csrf}x` });
    expect((await wrongCsrf.delete("/storage/x1")).status).toBe(401);
  });

  it("accepts API tokens without CSRF and rejects wrong secrets", async () => {
    expect((await h.api.post("/storage", form({ storage: "x2", type: "dir", path: "/srv/x2" }))).status).toBe(200);
    const wrong = client(h.sim, { Authorization: `PVEAPIToken=${h.sim.credentials.tokenId}=00000000-0000-0000-0000-000000000000` });
    const r = await wrong.get("/nodes");
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("Authentication failed!");
    const spaced = client(h.sim, { Authorization: `PVEAPIToken ${h.sim.credentials.tokenId}=${h.sim.credentials.tokenSecret}` });
    expect((await spaced.get("/nodes")).status).toBe(200);
  });

  it("renews a ticket by posting it as the password, and expires tickets after their lifetime", async () => {
    const { ticket } = await login();
    const renewed = await h.anon.post("/access/ticket", form({ username: "root@pam", password: ticket }));
    expect(renewed.status).toBe(200);
    expect(renewed.data.data.ticket).toMatch(/^PVE:root@pam:/);
    await new Promise((r) => setTimeout(r, 2600));
    const expired = client(h.sim, { Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` });
    const r = await expired.get("/nodes");
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("Authentication failed!");
    const renewLate = await h.anon.post("/access/ticket", form({ username: "root@pam", password: ticket }));
    expect(renewLate.status).toBe(401);
  });
});
