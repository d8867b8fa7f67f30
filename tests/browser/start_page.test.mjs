// The start page from the release build hydrates in headless Chromium: the language switch
// reacts in place (no page load), and the console stays free of errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, portalAndBrowser } from './browser.mjs';

const portal = portalAndBrowser();

test('the start page hydrates and switches language in place without console errors', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await page.goto(portal.server.url, { waitUntil: 'load' });

  assert.equal(await page.locator('h1').textContent(), 'Hilfe beantragen, an einem Ort');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');

  // Effects run only after hydration; the layout marks the page then.
  await page.waitForSelector('.page[data-hydrated="true"]', { timeout: 15_000 });

  // A marker that a real page load would wipe out.
  await page.evaluate(() => { window.__stillTheSamePage = true; });
  await page.getByRole('link', { name: 'Switch to English' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Apply for help, in one place');

  assert.equal(await page.evaluate(() => window.__stillTheSamePage), true, 'the switch happened in place, by the WebAssembly');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  const cookies = await context.cookies();
  assert.ok(cookies.some((cookie) => cookie.name === 'i18n_pref_locale' && cookie.value === 'en'), 'the choice is remembered');

  // A reload keeps English: the server reads the cookie.
  await page.reload({ waitUntil: 'load' });
  assert.equal(await page.locator('h1').textContent(), 'Apply for help, in one place');

  assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or failed requests');
  await context.close();
});

test('the entrances are reachable by keyboard from the start page', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await page.goto(portal.server.url, { waitUntil: 'load' });
  await page.waitForSelector('.page[data-hydrated="true"]', { timeout: 15_000 });

  // The first Tab reaches the skip link, which leads into the main content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Zum Inhalt springen');

  const link = page.getByRole('link', { name: 'Zum Zugang für Bürgerinnen und Bürger' });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Zugang für Bürgerinnen und Bürger');
  assert.equal(new URL(page.url()).pathname, '/buerger');

  assert.deepEqual(problems, []);
  await context.close();
});

test('an unknown address shows the 404 page with a way back', async () => {
  const { context, page } = await openPage(portal.browser);
  const response = await page.goto(`${portal.server.url}/gibt-es-nicht`, { waitUntil: 'load' });
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'Seite nicht gefunden');
  await page.getByRole('link', { name: 'Zur Startseite', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Hilfe beantragen, an einem Ort');
  await context.close();
});
