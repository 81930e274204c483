import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's Chromium (`.ci/install-packages` installs it); playwright-core never downloads a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Flags for headless Chromium on this closed network: without the background-networking ones its
 * connections (even to loopback) stall on lookups it cannot make.
 */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;

/** A headless Chromium with a fresh profile folder; `close()` ends it and removes the folder. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium (see CHROMIUM_ARGS) with a fresh `--user-data-dir`. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/install-packages as root (Debian package chromium)`);
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "vmsync-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
