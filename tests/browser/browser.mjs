// Headless Chromium from Debian, driven by playwright-core. Collects everything the console
// and the network report, so a test can prove a page ran without errors.

import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

import { startServer } from './server.mjs';

const AXE_SOURCE = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
/// What the portal promises: WCAG 2.1 level A and AA.
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function openBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
}

/// The portal (started with `options`, see `startServer`) and a browser for the tests of one
/// file: both start before the first test and stop after the last. Read `portal.server` and
/// `portal.browser` inside the tests.
export function portalAndBrowser(options = {}) {
  const portal = { server: null, browser: null };
  before(async () => {
    portal.server = await startServer(options);
    portal.browser = await openBrowser();
  });
  after(async () => {
    await portal.browser?.close();
    await portal.server?.stop();
  });
  return portal;
}

/// A fresh page in German, recording console errors, uncaught exceptions and failed requests.
export async function openPage(browser, { locale = 'de-DE' } = {}) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()} (at ${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The browser fetches the icon on its own after a page loads, and drops that fetch when the
    // test moves on to the next page first: nothing the portal answered.
    const dropped = request.failure()?.errorText === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/favicon.svg';
    if (!dropped) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { context, page, problems };
}

/// Signs `page` in as the demo person `name` on the demo sign-in page of `portal`, waits for the
/// start page the role lands on (or the path `landing`) and, with `hydrate`, for its islands
/// (a context without JavaScript has none).
export async function signInAsDemo(portal, page, name, { landing = null, hydrate = true } = {}) {
  await page.goto(`${portal.server.url}/anmelden/demo`);
  // The button's name holds the person's in every language ("Als … anmelden", "Sign in as …").
  await page.getByRole('button', { name }).click();
  await page.waitForURL((url) => (landing ? url.pathname === landing : url.pathname.endsWith('/start')));
  if (hydrate) await hydrated(page);
}

/// Waits until the page's islands run: the portal's pages are rendered on the server and work
/// without the script; the few islands (the print button, among them) need it, and the layout's
/// mark says when they are live.
export async function hydrated(page) {
  await page.waitForSelector('.hydration-mark[data-hydrated="true"]', { state: 'attached', timeout: 15_000 });
}

/// The WCAG 2.1 A/AA violations axe-core finds on the page as it is now, one line each with
/// the rule, what it means and where. axe is evaluated through the DevTools protocol, which the
/// portal's Content-Security-Policy does not govern; the page itself still runs under it.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }).then((result) => result.violations),
    WCAG_21_AA,
  );
  return violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${violation.help} at ${node.target.join(' ')}: ${node.failureSummary}`),
  );
}
