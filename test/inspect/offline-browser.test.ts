/**
 * The offline inspector end to end in headless Chromium: the page follows a real runtime from
 * valid → refreshing → valid and into cooldown, highlighting the live state, and loads nothing
 * from anywhere but the inspector itself.
 *
 * Needs the Debian `chromium` package (CI installs it). Set INSPECTOR_SCREENSHOT=<path> to
 * save a screenshot of the page in cooldown (docs/inspector-offline.png is made this way).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OfflineInspector, startOfflineInspector } from '../../src/inspect/offline-server.js';
import { createRuntimeFixture, type RuntimeFixture, waitForState } from '../support/runtime-fixture.js';
import { driveRuntime } from './support/drive-runtime.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `offline-browser.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const MINUTE = 60_000;

/** The page's DOM, typed just enough for the callbacks run in it (the tsconfig has no DOM lib). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  getElementById(id: string): { textContent: string | null } | null;
};

let browser: Browser;
let fx: RuntimeFixture;
let offline: OfflineInspector;

beforeAll(async () => {
  if (!hasChromium) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  fx = await createRuntimeFixture();
  offline = await startOfflineInspector();
});
afterEach(async () => {
  await offline.close();
  await fx.cleanup();
});

/** The state the page highlights (the `active` box in the diagram). */
function activeState(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('g.state.active')?.getAttribute('data-state') ?? null);
}

function waitForHighlight(page: Page, state: string): Promise<unknown> {
  return page.waitForFunction(
    (expected) =>
      document.querySelector('g.state.active')?.getAttribute('data-state') === expected &&
      document.getElementById('current')?.textContent === expected,
    state,
    { timeout: 15_000 },
  );
}

describe.skipIf(!hasChromium)('offline inspector in Chromium', () => {
  it('highlights the live state as the runtime goes valid → refreshing → valid → cooldown', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });

    const run = driveRuntime(fx, { inspect: offline.observer });
    await run.start();
    await page.goto(offline.url);
    await waitForHighlight(page, 'valid');
    await page.waitForFunction(() => document.getElementById('connection')?.textContent === 'live');

    // A slow token endpoint holds the machine in `refreshing` long enough to be seen.
    fx.fake.setLatency(1_500);
    const refreshed = waitForState(run.auth, 'refreshing').then(() => waitForState(run.auth, 'valid'));
    fx.clock.advance(5 * MINUTE);
    await waitForHighlight(page, 'refreshing');
    expect(await page.locator('path.edge.taken[data-from="expired"][data-to="refreshing"]').count()).toBe(1);
    await refreshed;
    await waitForHighlight(page, 'valid');
    fx.fake.setLatency(0);
    await expect
      .poll(() => page.locator('#log td.state').allTextContents())
      .toEqual(expect.arrayContaining(['valid → expired', 'expired → refreshing', 'ok → valid']));

    await run.coolDown();
    await waitForHighlight(page, 'cooldown');
    expect(await activeState(page)).toBe('cooldown');
    expect(await page.locator('g.state.active').count()).toBe(1);
    await expect.poll(() => page.locator('#context').textContent()).toContain('notFresher');

    const html = await page.content();
    for (const token of run.tokens) expect(html).not.toContain(token.slice(-24));
    expect(html).not.toContain('sk-ant-');
    // Nothing but the inspector itself was ever asked for.
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const origin = new URL(offline.url).origin;
    for (const url of requests) expect(url.startsWith(`${origin}/`)).toBe(true);
    // The page opened its event stream with the access token of the URL it was given.
    expect(requests).toContain(`${origin}/events?token=${offline.token}`);
    expect(pageErrors).toEqual([]);

    const screenshot = process.env.INSPECTOR_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
    // Without the token the same page is refused.
    const denied = await page.goto(`${origin}/`);
    expect(denied?.status()).toBe(403);
    await page.close();
  });
});
