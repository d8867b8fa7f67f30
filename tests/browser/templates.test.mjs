// An administrator adds an optional sharing to the housing benefit's consent template, sees the
// difference, publishes it, and a citizen finds the new request in his consent cockpit and
// grants it — in headless Chromium against the release build, with the demo data.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

test('an administrator publishes a new optional sharing and a citizen sees the request', async () => {
  const admin = await openPage(portal.browser);
  await signInAsDemo(portal, admin.page, 'Frank Richter');
  await admin.page.getByRole('link', { name: 'Einwilligungsvorlagen bearbeiten' }).click();
  await admin.page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Einwilligungsvorlagen');
  const wohngeld = admin.page.locator('section.case-section', { has: admin.page.getByRole('heading', { name: 'Wohngeld', exact: true }) });
  assert.match(await wohngeld.textContent(), /Gültig ist Fassung 1/);

  await wohngeld.getByRole('button', { name: 'Neue Fassung entwerfen Wohngeld' }).click();
  await wohngeld.getByRole('heading', { name: 'Entwurf für Fassung 2' }).waitFor();
  assert.match(await wohngeld.textContent(), /Der Entwurf unterscheidet sich nicht von der gültigen Fassung\./);

  await wohngeld.getByText('Freigabe hinzufügen oder ändern').click();
  const form = wohngeld.locator('form', { has: admin.page.getByLabel('Zweck (Deutsch)') });
  await form.getByLabel('Datenkategorie').selectOption('household');
  await form.getByLabel('Amt, das die Daten sehen darf').selectOption('jugendamt');
  await form.getByLabel('Zweck (Deutsch)').fill('Prüfung von Hilfen für die Familie');
  await form.getByLabel('Zweck (Englisch)').fill('Checking help for the family');
  await form.getByLabel('Längste Gültigkeit in Tagen').fill('180');
  await form.getByLabel('Erklärung in einfacher Sprache (Deutsch)').fill('Das Jugendamt sieht, wer in Ihrem Haushalt lebt.');
  await form.getByLabel('Erklärung in einfacher Sprache (Englisch)').fill('The Youth Welfare Office sees who lives in your household.');
  await form.getByRole('button', { name: 'Speichern' }).click();
  await admin.page.getByText('Der Entwurf ist geändert.').waitFor();
  const changes = wohngeld.locator('section', { has: admin.page.getByRole('heading', { name: 'Unterschiede zu Fassung 1' }) });
  assert.equal((await changes.locator('li').allTextContents()).join('\n'), 'Neue Freigabe angeboten: Haushalt → Jugendamt');

  // Publishing without ticking the box is refused with the reason.
  await wohngeld.getByRole('button', { name: 'Veröffentlichen' }).click();
  await admin.page.getByRole('alert').waitFor();
  assert.match(await admin.page.getByRole('alert').textContent(), /Setzen Sie den Haken, um zu bestätigen\./);
  await wohngeld.getByLabel(/Ich habe die Unterschiede geprüft/).check();
  await wohngeld.getByRole('button', { name: 'Veröffentlichen' }).click();
  await admin.page.getByText(/Die Fassung ist veröffentlicht\./).waitFor();
  assert.match(await wohngeld.textContent(), /Gültig ist Fassung 2/);
  assert.deepEqual(admin.problems.filter((problem) => !problem.includes('422')), []);
  await admin.context.close();

  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber');
  await page.goto(`${portal.server.url}/buerger/freigaben`);
  await hydrated(page);
  const offer = page.locator('section.offer', { has: page.getByRole('heading', { name: /Prüfung von Hilfen für die Familie/ }) });
  assert.match(await offer.textContent(), /Das Jugendamt sieht, wer in Ihrem Haushalt lebt\./);
  await offer.getByRole('button', { name: /Freigeben/ }).click();
  await page.getByText(/Jugendamt darf „Haushalt“ sehen – Prüfung von Hilfen für die Familie – bis/).waitFor();
  const household = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Haushalt' }) });
  assert.match(await household.textContent(), /Von Ihnen freigegeben für: Prüfung von Hilfen für die Familie/);
  assert.deepEqual(problems, []);
  await context.close();
});
