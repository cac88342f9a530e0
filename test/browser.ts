/**
 * Headless Chromium for the console's browser test and benchmark: the system's Chromium
 * (Debian's package, /usr/bin/chromium, or $SOV_CHROMIUM) driven by playwright-core 1.64.1,
 * the release built for Chromium 156 (its browsers.json), which runs on Node 20. playwright-core
 * downloads no browser of its own: a missing Chromium is an error that says how to install it
 * (.ci/run installs it), never a skipped test. Screenshots go to $SOV_SCREENSHOTS or
 * tmp/console-screenshots/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoPath } from './paths.js';

// What the functions run in the page use of it (the project's TypeScript has no DOM types).
declare const document: { body: { dataset: Record<string, string | undefined> } };
declare const location: { hash: string };

export const CHROMIUM = process.env.SOV_CHROMIUM ?? '/usr/bin/chromium';

export class NoChromiumError extends Error {
  constructor() {
    super(`no Chromium at ${CHROMIUM}: install the system's package (apt-get install -y chromium; .ci/run does) or set SOV_CHROMIUM to its path`);
  }
}

/** Launch headless Chromium; throws NoChromiumError when it is not installed. */
export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new NoChromiumError();
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 });
}

/** Where screenshots are written (created). */
export function screenshotDir(): string {
  const dir = process.env.SOV_SCREENSHOTS ?? repoPath('tmp', 'console-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Go to a console route (`#/...`; the page is loaded again if it is there already) and wait until its page says it is ready. */
export async function open(page: Page, base: string, route: string, timeoutMs = 15_000): Promise<void> {
  const url = `${base}${route}`;
  if (page.url() === url) await page.reload();
  else if (page.url().startsWith(base)) await page.evaluate((r) => (location.hash = r), route);
  else await page.goto(url);
  await page.waitForFunction((r) => document.body.dataset.ready === 'true' && document.body.dataset.route === r, route, { timeout: timeoutMs });
}
