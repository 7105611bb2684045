import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** A page expression (a string: the Node tsconfig has no DOM types): the page has finished, well or not. */
export const PAGE_FINISHED = "['done', 'error'].includes(document.body.dataset.state)";

/** Debian's Chromium (.ci/run installs it); playwright-core brings no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium with a fresh profile, nothing on the network but the pages it is sent to.
 * Fails with a clear message when the browser is missing: the browser test must not skip silently.
 */
export async function launchChromium(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with 'apt-get install -y chromium' (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), 'hilbertq-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
