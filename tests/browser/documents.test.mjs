// Documents and messages in headless Chromium against the release build, with the demo data:
// a parent answers the youth office's request for their child's school report. A web page named
// "Zeugnis.pdf" is refused with the reason at the top and next to the field; the real PDF is
// taken, the to-do is gone, it downloads again; and a message reaches the office.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj ' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const DISGUISED = Buffer.from('<!DOCTYPE html><html><body><script>alert("gotcha")</script></body></html>');

test('a parent uploads a document disguised by its name, sees it refused, then hands in the real one and writes to the office', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber', { landing: '/buerger/start' });

  // The to-do on the overview leads to the application's page.
  await page.getByRole('link', { name: 'Dokument hochladen', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/buerger/antraege/00000000-0000-4000-8000-000000000702');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Hilfe zur Erziehung, Aktenzeichen KS-2026-000002');
  assert.match(await page.locator('.on-behalf').textContent(), /für Mia Weber/);

  const request = page.locator('.request');
  const field = request.getByLabel('Dokument für diese Anfrage auswählen');
  await field.setInputFiles({ name: 'Zeugnis.pdf', mimeType: 'application/pdf', buffer: DISGUISED });
  await request.getByRole('button', { name: 'Hochladen' }).click();
  await page.waitForURL((url) => url.searchParams.get('hochladen') === 'dateityp');
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.textContent(), /Das ist kein PDF, JPEG oder PNG – auch wenn der Dateiname so endet/);
  await hydrated(page);
  await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await request.locator('.error-message').textContent(), /kein PDF, JPEG oder PNG/);
  // The summary's link takes the keyboard to the field.
  assert.equal(await summary.getByRole('link').getAttribute('href'), `#${await field.getAttribute('id')}`);
  assert.match(await page.locator('#unterlagen-bereich').textContent(), /noch keine Dokumente/);

  await field.setInputFiles({ name: 'Zeugnis Mia.pdf', mimeType: 'application/pdf', buffer: PDF });
  await request.getByRole('button', { name: 'Hochladen' }).click();
  await page.waitForURL((url) => url.searchParams.get('hochgeladen') === '1');
  await page.getByText('Danke! Ihr Dokument ist beim Amt angekommen.').waitFor();
  assert.equal(await page.locator('.request').count(), 0, 'nothing is asked for any more');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Zeugnis Mia.pdf' }).click();
  assert.equal((await download).suggestedFilename(), 'Zeugnis Mia.pdf');

  // A message to the office.
  await page.getByLabel('Ihre Nachricht an: Jugendamt').fill('Guten Tag Frau Hoffmann, das Zeugnis ist jetzt hochgeladen.');
  await page.getByRole('button', { name: 'Nachricht senden' }).click();
  await page.getByText('Ihre Nachricht ist beim Amt angekommen.').waitFor();
  const last = page.locator('.messages > li').last();
  assert.match(await last.textContent(), /Sie · .*das Zeugnis ist jetzt hochgeladen/);
  assert.match(await page.locator('.history').textContent(), /Dokument hochgeladen: Zeugnis Mia\.pdf/);

  // Back on the overview the office waits for nothing.
  await page.getByRole('link', { name: 'Zurück zur Übersicht' }).click();
  await page.waitForURL((url) => url.pathname === '/buerger/start');
  await page.getByRole('heading', { name: 'Ihre Anträge' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Darauf warten die Ämter' }).count(), 0);

  assert.deepEqual(problems, []);
  await context.close();
});
