// Headless Chromium for the status-page tests: Debian's /usr/bin/chromium (scripts/install-system-deps.sh
// installs it) driven by playwright-core, with a throw-away profile. Shared by test/ui and the e2e
// suite that loads the page from the real extender process (test/e2e/ui-policies.e2e.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Chromium {
  readonly browser: BrowserContext;
  /** The profile directory (removed by close()). */
  readonly profileDir: string;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const profileDir = await mkdtemp(join(tmpdir(), 'climatik-ui-chromium-'));
  // A persistent context on a fresh directory is playwright's form of --user-data-dir.
  const browser = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    profileDir,
    async close() {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** Trimmed text content of the first element matching `selector`. */
export const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).first().textContent())?.trim() ?? '';

/** PNG file signature, to check a screenshot is an image. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
