// The start page from the release build in headless Chromium: its islands come alive, the
// language switch takes the reader to the same page in English, and the console stays free of
// errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';

import { hydrated, openPage, portalAndBrowser } from './browser.mjs';

const portal = portalAndBrowser();

test('the start page hydrates its islands and switches language without console errors', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await page.goto(portal.server.url, { waitUntil: 'load' });

  assert.equal(await page.locator('h1').textContent(), 'Hilfe beantragen, an einem Ort');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await hydrated(page);

  await page.getByRole('link', { name: 'Switch to English' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Apply for help, in one place');
  assert.equal(new URL(page.url()).pathname, '/', 'the reader is back on the page they were on');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  const cookies = await context.cookies();
  assert.ok(cookies.some((cookie) => cookie.name === 'i18n_pref_locale' && cookie.value === 'en'), 'the choice is remembered');

  // A reload keeps English: the server reads the cookie.
  await page.reload({ waitUntil: 'load' });
  assert.equal(await page.locator('h1').textContent(), 'Apply for help, in one place');

  assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or failed requests');
  await context.close();
});

// What the first page costs to load: every response the browser fetched for it (the page,
// style, script and WebAssembly), each compressed as a server would with brotli at quality 11.
// The first page may cost 150 KB with brotli; the figures are printed for docs/performance.md.
test('the first page loads at most 150 KB with brotli', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  const responses = [];
  page.on('response', (response) => responses.push(response));
  await page.goto(portal.server.url, { waitUntil: 'load' });
  await hydrated(page);

  const sizes = [];
  for (const response of responses) {
    const body = await response.body();
    const brotli = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    sizes.push({ path: new URL(response.url()).pathname, raw: body.length, brotli });
  }
  for (const { path, raw, brotli } of sizes) console.log(`first page: ${path} ${raw} bytes raw, ${brotli} with brotli`);
  const total = sizes.reduce((sum, { brotli }) => sum + brotli, 0);
  console.log(`first page: ${total} bytes with brotli in all`);
  assert.ok(sizes.some(({ path }) => path.endsWith('.wasm')), 'the WebAssembly is among them');
  assert.ok(total <= 150_000, `the first page loads ${total} bytes with brotli`);

  assert.deepEqual(problems, []);
  await context.close();
});

test('the entrances are reachable by keyboard from the start page', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await page.goto(portal.server.url, { waitUntil: 'load' });
  await hydrated(page);

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
