// Emergency access (§ 8a SGB VIII) in headless Chromium against the release build, on
// PostgreSQL with the demo data: a youth-office caseworker opens one from a case, a second
// caseworker confirms it, the first reads exactly the named data, the second holds the notice
// back, and once its time has run out nobody can read anything through it any more. The
// father sees the access in his log once the notice is no longer held back.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true, postgres: true });

const MIA_HZE = '00000000-0000-4000-8000-000000000702';
const REASON = 'Hinweis der Schule auf akute Gefährdung, Rückruf der Familie bleibt aus.';

function daysFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test('an emergency access needs a second caseworker, opens only the named data, and ends by itself', async () => {
  const lena = (await openPage(portal.browser)).page;
  const tobias = (await openPage(portal.browser)).page;

  // Lena opens it from Mia's case, for the father's bank account and income.
  await signInAsDemo(portal, lena, 'Lena Hoffmann', { landing: '/mitarbeitende/start' });
  await lena.goto(`${portal.server.url}/mitarbeitende/faelle/${MIA_HZE}`);
  await hydrated(lena);
  const section = lena.locator('section', { has: lena.getByRole('heading', { name: 'Notfallzugriff (§ 8a SGB VIII)' }) });
  await section.getByText('Notfallzugriff beantragen', { exact: true }).first().click();
  await section.getByLabel('Für wen').selectOption({ label: 'Sorgeberechtigter Elternteil 1' });
  await section.getByLabel('Bankverbindung').check();
  await section.getByLabel('Einkommen und Vermögen').check();
  await section.getByLabel('Dauer in Stunden').fill('4');
  await section.getByLabel('Begründung', { exact: true }).fill(REASON);
  await section.getByRole('button', { name: 'Notfallzugriff beantragen' }).click();
  await lena.waitForURL((url) => url.pathname === '/mitarbeitende/notzugriffe');
  await lena.getByText('Eine zweite Fachkraft muss ihn bestätigen.').first().waitFor();
  const own = lena.locator('li.emergency', { hasText: REASON });
  assert.match(await own.textContent(), /Wartet auf Bestätigung/);
  assert.match(await own.textContent(), /Einkommen und Vermögen, Bankverbindung/, 'categories by name, not by code');
  assert.equal(await own.getByRole('button', { name: 'Bestätigen' }).count(), 0, 'nobody confirms their own');
  assert.equal(await own.getByRole('link', { name: 'Daten ansehen' }).count(), 0, 'nothing to read before confirmation');

  // Tobias, the second caseworker, confirms it.
  await signInAsDemo(portal, tobias, 'Tobias Krüger', { landing: '/mitarbeitende/start' });
  await tobias.getByRole('link', { name: 'Notfallzugriffe (§ 8a SGB VIII)' }).click();
  await tobias.waitForURL((url) => url.pathname === '/mitarbeitende/notzugriffe');
  await hydrated(tobias);
  const waiting = tobias.locator('li.emergency', { hasText: REASON });
  await waiting.getByRole('button', { name: 'Bestätigen' }).click();
  await tobias.getByText('Der Notfallzugriff ist bestätigt und läuft.').waitFor();

  // Lena reads exactly the named data, with the fields' labels.
  await lena.reload();
  await hydrated(lena);
  const running = lena.locator('li.emergency', { hasText: REASON });
  assert.match(await running.textContent(), /Läuft/);
  await running.getByRole('link', { name: 'Daten ansehen' }).click();
  await lena.getByRole('heading', { name: 'Daten im Notfallzugriff' }).waitFor();
  await lena.getByRole('heading', { name: 'Bankverbindung' }).waitFor();
  const data = await lena.locator('main').textContent();
  assert.match(data, /IBAN/);
  assert.match(data, /DE02 1203 0000 0000 2020 51/);
  assert.doesNotMatch(data, /Wohnen|Gesundheit/, 'nothing beyond the named categories');
  const dataPath = new URL(lena.url()).pathname;

  // Tobias holds the notice to the father back; a date too far ahead is refused by name.
  await tobias.reload();
  await hydrated(tobias);
  const confirmed = tobias.locator('li.emergency', { hasText: REASON });
  await confirmed.getByText('Mitteilung an die Person zurückstellen').click();
  await confirmed.getByLabel('Warum darf die Person es jetzt noch nicht erfahren?').fill('Die Mitteilung würde das Kind jetzt gefährden.');
  await confirmed.getByLabel('Der Person zeigen ab').fill(daysFromNow(400));
  await confirmed.getByRole('button', { name: 'Mitteilung zurückstellen' }).click();
  await confirmed.getByText('Wählen Sie einen Tag nach heute').waitFor();
  await confirmed.getByLabel('Der Person zeigen ab').fill(daysFromNow(14));
  await confirmed.getByRole('button', { name: 'Mitteilung zurückstellen' }).click();
  await tobias.getByText('Die Mitteilung ist zurückgestellt.').waitFor();
  assert.match(await tobias.locator('li.emergency', { hasText: REASON }).textContent(), /Der Person gezeigt ab/);

  // Its time runs out (moved into the past here rather than waited for).
  portal.server.sql(
    "UPDATE emergency_accesses SET opened_at = now() - interval '6 hours', confirmed_at = now() - interval '5 hours', " +
      "expires_at = now() - interval '1 hour' WHERE status = 'confirmed'",
  );
  await lena.goto(`${portal.server.url}/mitarbeitende/notzugriffe`);
  await hydrated(lena);
  const ended = lena.locator('li.emergency', { hasText: REASON });
  assert.match(await ended.textContent(), /Abgelaufen/);
  assert.equal(await ended.getByRole('link', { name: 'Daten ansehen' }).count(), 0);
  const afterwards = await lena.goto(`${portal.server.url}${dataPath}`);
  assert.equal(afterwards.status(), 404, 'the data page of an expired access is gone');
  assert.doesNotMatch(await lena.locator('main').textContent(), /DE02 1203/);

  // The father: held back until the date, then shown with its reason.
  const jonas = (await openPage(portal.browser)).page;
  await signInAsDemo(portal, jonas, 'Jonas Weber', { landing: '/buerger/start' });
  await jonas.goto(`${portal.server.url}/buerger/zugriffe`);
  assert.doesNotMatch(await jonas.locator('main').textContent(), /Hinweis der Schule/, 'held back');
  portal.server.sql("UPDATE access_log_deferrals SET created_at = now() - interval '2 hours', visible_from = now() - interval '1 minute'");
  await jonas.reload();
  await jonas.getByText(REASON).waitFor();
});
