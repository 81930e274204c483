/// <reference lib="dom" />
/**
 * The web status page of `vmsync watch`, in a real headless Chromium (Debian's, driven by
 * playwright-core) against the three simulators (examples/clusters/demo): it renders the fleet
 * with its Azure cost and each provider's capacity, shows drift made through the Proxmox API
 * without a reload, updates live after an apply, is reachable by keyboard, fits a phone's width,
 * asks for the token when one is set, shows no secret, and its live stream does not hold the
 * daemon's shutdown. Screenshots go to test/artifacts/
 * (git-ignored); UPDATE_DOCS=1 also writes docs/status-page.png for the README.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, launchChromium, type Browser } from "../helpers/browser.js";
import { startDemoWorld, vmidOf, type DemoWorld } from "../helpers/demo-world.js";
import { eventually, startWatch, type WatchProcess } from "../integration/daemon/process.js";
import { runInProcess } from "../integration/state-postgres/cli-io.js";

let w: DemoWorld;
let watch: WatchProcess;
let browser: Browser;
let page: Page;
/** The demo's environment with an empty price cache: plans and the page use the table shipped with vmsync. */
const env = () => ({ ...w.env, XDG_CACHE_HOME: join(w.tmp.dir, "no-cache") });
const vmsync = (args: string[]) => runInProcess(args, { cwd: w.tmp.dir, env: env() });
const shot = async (p: Page, name: string) => {
  await p.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  if (process.env.UPDATE_DOCS && name === "status-page-drift.png") await copyFile(join(ARTIFACTS, name), new URL("../../docs/status-page.png", import.meta.url));
};
const syncOf = (address: string) => page.locator(`#fleet tbody tr[data-address="${address}"]`).getAttribute("data-sync");

beforeAll(async () => {
  w = await startDemoWorld();
  const applied = await vmsync(["apply", "demo", "--auto-approve"]);
  expect(applied.code, applied.stderr).toBe(0);
  watch = await startWatch(["demo", "--mode", "plan", "--interval", "1s"], { cwd: w.tmp.dir, env: env() });
  await eventually("the first reconcile", async () => (await fetch(`${watch.url}/readyz`)).status === 200, 60_000);
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  watch?.kill();
  await w?.close();
});

describe("the status page in headless Chromium", () => {
  it("renders the fleet as a table with a header cell per row", async () => {
    const res = await page.goto(`${watch.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await expect(page.title()).resolves.toBe("vmsync · demo");
    const rows = page.locator("#fleet table.fleet tbody tr");
    expect(await rows.count()).toBe(17); // 12 resources and the 5 demo VMs' guests
    expect(await page.locator('#fleet tbody tr[data-sync="in-sync"]').count()).toBe(17);
    expect(await page.locator("#fleet tbody th[scope=row]").allTextContents()).toContain("VirtualMachine/k8s-cp");
    const web1 = page.locator('#fleet tbody tr[data-address="VirtualMachine/web-1"] td');
    expect(await web1.allTextContents()).toEqual(expect.arrayContaining(["pve", "pve1", "running", "in sync"]));
    expect(await page.locator("#fleet .summary").textContent()).toBe("17 resources: 17 in sync.");
    expect(await page.locator("#schedules tbody th").allTextContents()).toEqual(["nightly", "nightly@nas"]);
    // the Azure cost column (the shipped table lacks the dev VM's P6 disk tier: unknown, never $0) and the total
    expect(await page.locator('#fleet tbody tr[data-address="VirtualMachine/dev"] td[data-label="Cost/month"]').textContent()).toBe("$70.08 + unknown");
    expect(await page.locator('#fleet tbody tr[data-address="NfsShare/team-files"] td[data-label="Cost/month"]').textContent()).toBe("$16.00");
    expect(await page.locator('#fleet tbody tr[data-address="VirtualMachine/web-1"] td[data-label="Cost/month"]').textContent()).toBe("-");
    expect(await page.locator("#fleet p.cost").textContent()).toMatch(/^Monthly cost now: \$86\.08 \+ unknown \(1 resource not fully priced/);
    expect(await page.locator("#plan pre").textContent()).toContain("Monthly cost: $86.08 + unknown → $86.08 + unknown"); // the daemon prices its plans
    // each provider's capacity, read by the daemon's pass
    expect(await page.locator("#fleet h3").allTextContents()).toEqual(["Capacity of cloud (azure)", "Capacity of nas (truenas)", "Capacity of pve (proxmox)"]);
    const memory = page.locator('#fleet table.capacity[data-provider="pve"] tr[data-pool="node/pve1/memory"]');
    expect(await memory.locator("th, td").allTextContents()).toEqual(["node pve1 memory", "16.5GiB", "111.5GiB", "128GiB", "13 %"]);
    expect(await page.locator('#fleet table.capacity[data-provider="cloud"] tbody th').allTextContents()).toEqual(["Total Regional vCPUs in eastus2", "Standard DSv5 Family vCPUs in eastus2"]);
    expect(await page.locator('#fleet table.capacity[data-provider="nas"] tr[data-pool="pool/tank"] td').count()).toBe(4);
    await page.waitForFunction(() => document.getElementById("live")?.textContent?.includes("live"));
    await shot(page, "status-page.png");
  });

  it("shows drift made through the Proxmox API, with the field's values, without a reload", async () => {
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const vmid = await vmidOf(w, "web-1");
    expect((await w.pve.put(`/nodes/pve1/qemu/${vmid}/config`, new URLSearchParams({ memory: "6144" }))).status).toBe(200);
    await page.waitForSelector('#fleet tbody tr[data-address="VirtualMachine/web-1"][data-sync="drifted"]', { timeout: 30_000 });
    expect(await page.locator('#fleet tbody tr[data-address="VirtualMachine/web-1"] td[data-label="Sync"]').textContent()).toBe("drifted: memory");
    const drift = page.locator("#drift table tbody tr");
    expect(await drift.locator("th, td").allTextContents()).toEqual(["memory", "4GiB", "6GiB"]);
    expect(await page.locator("#drift h3").allTextContents()).toEqual(["VirtualMachine/web-1"]);
    expect(await page.locator("#plan pre").textContent()).toContain("# VirtualMachine/web-1 will be updated in place on pve");
    expect(await page.locator("#plan pre .p-change").count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await shot(page, "status-page-drift.png");
  });

  it("updates live after an apply: back in sync, the apply on top of the history", async () => {
    const applied = await vmsync(["apply", "demo", "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    await page.waitForSelector('#fleet tbody tr[data-address="VirtualMachine/web-1"][data-sync="in-sync"]', { timeout: 30_000 });
    expect(await page.locator("#drift").textContent()).toContain("No drift");
    expect(await page.locator("#history tbody tr").first().locator('td[data-label="Command"]').textContent()).toBe("apply");
    expect(await page.locator("#history tbody tr").first().locator('td[data-label="Changes"]').textContent()).toContain("~1");
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  it("is reachable by keyboard: skip link, section links, focusable table regions with a visible focus", async () => {
    await page.goto(`${watch.url}/`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to the fleet");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).getAttribute("href"))).toBe("#fleet");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => location.hash)).toBe("#fleet");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("fleet-table");
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe("none");
    await page.keyboard.press("ArrowRight"); // the region scrolls with the keyboard when it is wider than the screen
    expect(await page.evaluate(() => document.querySelectorAll("section[aria-labelledby] > h2").length)).toBe(6);
  });

  it("fits a phone's width: rows become labelled cards, nothing scrolls sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${watch.url}/`);
    const wide = await page.evaluate(() => [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest("pre")).map((e) => `${e.tagName}#${e.id}.${e.className}: ${Math.round(e.getBoundingClientRect().right)} ${(e.textContent ?? "").slice(0, 40)}`).slice(0, 8));
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator('#fleet tbody tr[data-address="VirtualMachine/dev"] td[data-label="Where"]').evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"Where"');
    await shot(page, "status-page-phone.png");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("asks for the token when one is set, accepts only the right one, shows no secret, and its live stream does not hold shutdown", async () => {
    const guarded = await startWatch(["demo", "--mode", "observe", "--interval", "1h"], { cwd: w.tmp.dir, env: { ...env(), VMSYNC_WATCH_TOKEN: "s3cret-watch-token" } });
    try {
      const p = await browser.context.newPage();
      expect((await p.goto(`${guarded.url}/`))?.status()).toBe(401);
      await p.fill("#token", "wrong");
      await p.click("button[type=submit]");
      expect(await p.locator("[role=alert]").textContent()).toBe("That token is not right.");
      await p.fill("#token", "s3cret-watch-token");
      await p.click("button[type=submit]");
      await p.waitForSelector("#fleet tbody tr", { timeout: 30_000 });
      await p.waitForFunction(() => document.getElementById("live")?.textContent?.includes("live"));
      const pageText = await p.content();
      for (const secret of ["s3cret-watch-token", w.env.VMSYNC_SIM_TRUENAS_DISPLAY_PASSWORD!, w.env.VMSYNC_DEMO_CT_ROOT_PASSWORD!, w.env.VMSYNC_SIM_PROXMOX_TOKEN_SECRET!, w.env.VMSYNC_SIM_TRUENAS_API_KEY!, w.env.VMSYNC_SIM_AZURE_TOKEN!]) expect(pageText).not.toContain(secret);
      expect((await fetch(`${guarded.url}/events`)).status).toBe(401);
      // the page's event stream is open (and the daemon idle): SIGTERM ends the stream and the process
      const code = await guarded.stop("SIGTERM");
      expect(code, guarded.stderr().slice(-2000)).toBe(0);
      await p.waitForFunction(() => document.getElementById("live")?.textContent?.includes("reconnecting"));
      await p.close();
    } finally {
      guarded.kill();
    }
  }, 60_000);

  it("refuses to listen beyond loopback without a token", async () => {
    const run = await vmsync(["watch", "demo", "--listen", "0.0.0.0:0"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--listen 0.0.0.0:0 can be reached from other machines, so the status page, /metrics and /status need a bearer token");
  });
});
