// A citizen sees which office may see which of his data and why; a parent reads who saw their child's data after a caseworker opened the case, and their browser checks
// the entries shown — in headless Chromium against the release build, with the demo data.
// (The caseworker opens the case through its server function: the case screen is issue 6's.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

test('a parent sees the youth office read their child\'s data, and the record is intact', async () => {
  const caseworker = await openPage(portal.browser);
  await signInAsDemo(portal, caseworker.page, 'Lena Hoffmann');
  const response = await caseworker.page.goto(`${portal.server.url}/mitarbeitende/faelle/00000000-0000-4000-8000-000000000702`);
  assert.equal(response.status(), 200, 'the caseworker opened the case');
  await caseworker.context.close();

  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber');
  await hydrated(page);
  await page.getByRole('link', { name: 'Ihre Daten ansehen und wer sie sehen darf' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Daten von Jonas Weber');
  const income = page.locator('section', { has: page.getByRole('heading', { name: 'Einkommen und Vermögen' }) });
  assert.match(await income.textContent(), /Sozialamt: weil Sie es freigegeben haben – Zweck: Prüfung eines Anspruchs auf Grundsicherung/);
  assert.match(await income.textContent(), /Wohngeldstelle: für Ihren Antrag KS-2026-000001/);
  await page.getByRole('link', { name: 'Zurück zu Ihrem Bereich' }).click();
  await page.waitForURL(`${portal.server.url}/buerger/start`);

  await page.getByRole('link', { name: 'Sehen, wer Ihre Daten gesehen hat' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Wer hat Ihre Daten gesehen?');
  assert.match(await page.locator('main').textContent(), /Bisher hat kein Amt diese Daten gelesen\./, 'nobody read his own data');

  await page.getByRole('link', { name: 'Zugriffe auf die Daten von Mia Weber' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Wer hat die Daten von Mia Weber gesehen?');
  const row = page.locator('tbody tr');
  assert.equal(await row.count(), 1);
  const cells = await row.first().locator('td').allTextContents();
  assert.match(cells[1], /Jugendamt/);
  assert.match(cells[1], /Sachbearbeitung/);
  assert.match(cells[2], /Angaben zur Person/);
  assert.equal(cells[3], 'Bearbeitung des Antrags KS-2026-000002');
  assert.equal(cells[4], 'Ihr Antrag');

  // The browser's own check (the witness is log_check.test.mjs's): the entry is in the signed log.
  const result = page.locator('.log-check__result');
  await result.waitFor();
  assert.match(await result.textContent(), /^Geprüfte Zugriffe: (0|1)\. /);
  assert.match(await result.textContent(), /Die Stadt hat keinen unabhängigen Zeugen eingerichtet; die Prüfung vertraut deshalb allein dem Schlüssel des Portals\./);

  // Without JavaScript the page is the same, and says the check needs it.
  const plain = await portal.browser.newContext({ locale: 'de-DE', javaScriptEnabled: false, storageState: await context.storageState() });
  const plainPage = await plain.newPage();
  await plainPage.goto(page.url());
  assert.equal(await plainPage.locator('h1').textContent(), 'Wer hat die Daten von Mia Weber gesehen?');
  assert.equal(await plainPage.locator('tbody tr').count(), 1);
  assert.match(await plainPage.locator('main').textContent(), /Diese Prüfung läuft in Ihrem Browser und braucht JavaScript\./);
  await plain.close();
  assert.deepEqual(problems, []);
  await context.close();
});
