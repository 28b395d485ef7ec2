/**
 * Test helper: Debian's system Chromium driven by playwright-core (which never downloads a browser).
 * A missing browser is an error that says how to install it, never a skipped test. Pages may load
 * only file: URLs; any other request is aborted and reported, so a report that needs the network fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** SKYLOOM_CHROMIUM, if set, is the only place looked at. */
const candidates = process.env.SKYLOOM_CHROMIUM ? [process.env.SKYLOOM_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (looked at ${candidates.join(', ')}): install Debian's package with 'apt-get install -y chromium' (.ci/run does), or set SKYLOOM_CHROMIUM`);
  return found;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
  /** Requests to anything but a file: URL (aborted). */
  readonly network: string[];
  /** Milliseconds from navigation to `body[data-drawn]`. */
  readonly drawnMs: number;
}

/** Opens `file` and waits until the report says every chart is drawn. */
export async function openReport(browser: Browser, file: string): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [];
  const network: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    network.push(url);
    return route.abort();
  });
  const t0 = performance.now();
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-drawn]', { timeout: 30_000 });
  return { page, errors, network, drawnMs: performance.now() - t0 };
}

/** Where tests leave screenshots: test-artifacts/ (gitignored). */
export function artefactPath(name: string): string {
  const dir = join(process.cwd(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
