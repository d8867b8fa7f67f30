// Applying for help in headless Chromium against the release build, with the demo data: two
// kinds of help at once (counting the interactions after sign-in), each office then seeing only
// its part; a draft for a child that survives a server restart; and the same flow as plain forms
// without JavaScript, with an answer that does not fit named at the top and next to the field.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

async function heading(page, text) {
  await page.waitForFunction((wanted) => document.querySelector('h1')?.textContent === wanted, text);
}

/// The categories a caseworker sees when opening an application through the server function the
/// case page calls.
async function caseCategories(name, application) {
  const { context, page } = await openPage(portal.browser);
  await signInAsDemo(portal, page, name);
  const answer = await page.evaluate(async (id) => {
    const response = await fetch('/api/mitarbeitende/akte', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `application=${id}`,
    });
    return { status: response.status, body: await response.json() };
  }, application);
  await context.close();
  return answer.status === 200 ? Object.keys(answer.body.case.data).sort() : answer.status;
}

test('a citizen applies for two kinds of help at once in under 15 interactions, and each office gets only its part', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Anna Becker');
  await hydrated(page);
  let interactions = 0;
  const click = async (locator) => {
    interactions += 1;
    await locator.click();
  };
  const fill = async (locator, value) => {
    interactions += 1;
    await locator.fill(value);
  };
  const next = () => click(page.getByRole('button', { name: 'Weiter' }));

  await click(page.getByRole('link', { name: 'Antrag fortsetzen' }));
  await heading(page, 'Hilfe beantragen');
  assert.equal(await page.getByLabel('Grundsicherung und Sozialhilfe').isChecked(), true, 'her draft is chosen');
  await click(page.getByLabel('Wohngeld', { exact: true }));
  await next();
  for (const topic of ['Angaben zu Ihrer Person', 'Ihr Haushalt', 'Einkommen und Vermögen', 'Ihre Wohnung']) {
    await heading(page, topic);
    await next();
  }
  await heading(page, 'Bankverbindung');
  assert.equal(await page.locator('.caption').textContent(), 'Schritt 5 von 5');
  await fill(page.getByLabel('Kontoinhaberin oder Kontoinhaber'), 'Anna Becker');
  await fill(page.getByLabel('IBAN'), 'DE89 3704 0044 0532 0130 00');
  await next();

  await heading(page, 'Prüfen Sie Ihre Angaben');
  const check = await page.locator('main').textContent();
  assert.match(check, /Sozialamt bekommt für Ihren Antrag auf Grundsicherung und Sozialhilfe:/);
  assert.match(check, /Wohngeldstelle bekommt für Ihren Antrag auf Wohngeld:/);
  assert.match(check, /Rechtsgrundlage: § 60 SGB I, § 23 WoGG/);
  assert.match(check, /DE89 3704 0044 0532 0130 00/);
  await click(page.getByRole('button', { name: '2 Anträge absenden' }));

  await heading(page, 'Ihre Anträge sind eingegangen');
  const references = await page.locator('tbody th').allTextContents();
  assert.equal(references.length, 2);
  assert.ok(references.includes('KS-2026-000003'), `${references}`);
  console.log(`interactions after sign-in for two kinds of help: ${interactions}`);
  assert.ok(interactions < 15, `${interactions} interactions`);
  const ids = new URL(page.url()).searchParams.get('antraege').split(',');

  // The print button, an island, opens the browser's print dialogue (a stand-in here).
  await hydrated(page);
  await page.evaluate(() => { window.print = () => { window.__printed = true; }; });
  await page.getByRole('button', { name: 'Seite drucken' }).click();
  assert.equal(await page.evaluate(() => window.__printed), true, 'the button printed');
  const housing = ids.find((id) => id !== '00000000-0000-4000-8000-000000000703');

  // The overview lists both as received.
  await page.getByRole('link', { name: 'Zu Ihrem Bereich' }).click();
  await heading(page, 'Guten Tag, Anna Becker');
  const rows = await page.locator('#antraege ~ * tbody tr, section[aria-labelledby="antraege"] tbody tr').allTextContents();
  assert.equal(rows.filter((row) => row.includes('Eingegangen')).length, 2, `${rows}`);
  assert.deepEqual(problems, []);
  await context.close();

  // Each office reads its own application and the categories its template requires (the two
  // templates require the same five); Anna's contact details, which she keeps but neither
  // office needs, reach neither.
  const required = ['bank_account', 'household', 'housing', 'identity', 'income_assets'];
  assert.deepEqual(await caseCategories('Sabine Fischer', housing), required);
  assert.equal(await caseCategories('Sabine Fischer', '00000000-0000-4000-8000-000000000703'), 404, 'not her office\'s');
  assert.deepEqual(await caseCategories('Murat Yılmaz', '00000000-0000-4000-8000-000000000703'), required);
  assert.equal(await caseCategories('Murat Yılmaz', housing), 404, 'not his office\'s');
  assert.equal(await caseCategories('Lena Hoffmann', housing), 404, 'the youth office has no part in it');
});

test('a parent\'s draft for their child survives a server restart', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber');
  await hydrated(page);
  await page.getByRole('link', { name: 'Hilfe beantragen', exact: true }).first().click();
  await heading(page, 'Hilfe beantragen');
  await page.getByRole('link', { name: 'Antrag für Mia Weber' }).click();
  await page.waitForFunction(() => document.querySelector('.on-behalf')?.textContent.includes('Mia Weber'));
  await page.getByLabel('Hilfe zur Erziehung').check();
  await page.getByRole('button', { name: 'Weiter' }).click();
  await heading(page, 'Angaben zum Kind');
  assert.equal(await page.locator('.on-behalf').textContent(), 'Sie stellen diesen Antrag für Mia Weber.');
  assert.equal(await page.getByLabel('Vorname des Kindes').inputValue(), 'Mia');
  await page.getByRole('button', { name: 'Weiter' }).click();
  await heading(page, 'So erreichen wir Sie');
  await page.getByLabel('Telefonnummer').fill('0176 1111111');
  await page.getByRole('button', { name: 'Weiter' }).click();
  await heading(page, 'Familie und Haushalt');

  await portal.server.restart();
  await page.goto(`${portal.server.url}/buerger/start`);
  await heading(page, 'Guten Tag, Jonas Weber');
  await page.getByRole('link', { name: 'Antrag fortsetzen' }).click();
  await heading(page, 'Hilfe beantragen');
  assert.equal(await page.getByLabel('Hilfe zur Erziehung').isChecked(), true);
  await page.getByRole('button', { name: 'Weiter' }).click();
  await heading(page, 'Angaben zum Kind');
  await page.getByRole('button', { name: 'Weiter' }).click();
  await heading(page, 'So erreichen wir Sie');
  assert.equal(await page.getByLabel('Telefonnummer').inputValue(), '0176 1111111', 'kept across the restart');
  assert.deepEqual(problems.filter((problem) => !problem.includes('ERR_CONNECTION_REFUSED')), []);
  await context.close();
});

test('without JavaScript the flow is plain forms, and an answer that does not fit is named', async () => {
  const context = await portal.browser.newContext({ locale: 'de-DE', javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAsDemo(portal, page, 'Peter Schmidt', { landing: '/buerger/start', hydrate: false });
  await page.getByRole('link', { name: 'Hilfe beantragen', exact: true }).first().click();
  await page.getByLabel('Wohngeld', { exact: true }).check();
  await page.getByRole('button', { name: 'Weiter' }).click();
  await page.waitForURL(/schritt\/identity/);
  await page.getByRole('button', { name: 'Weiter' }).click();
  await page.waitForURL(/schritt\/household$/);
  await page.getByLabel('Wie viele Personen wohnen in Ihrem Haushalt, Sie eingeschlossen?').fill('zwei');
  await page.getByLabel('Wie viele davon sind Kinder unter 18 Jahren?').fill('0');
  await page.getByRole('button', { name: 'Weiter' }).click();
  await page.waitForURL(/schritt\/household\?fehler=1$/);
  const summary = page.getByRole('alert');
  assert.match(await summary.textContent(), /Bitte prüfen Sie Ihre Angaben/);
  assert.match(await summary.textContent(), /Wie viele Personen wohnen in Ihrem Haushalt, Sie eingeschlossen\?: Bitte geben Sie eine ganze Zahl an/);
  assert.match(await summary.textContent(), /Erziehen Sie Ihre Kinder allein\?: Bitte beantworten Sie diese Frage\./);
  const people = page.getByLabel('Wie viele Personen wohnen in Ihrem Haushalt, Sie eingeschlossen?');
  assert.equal(await people.inputValue(), 'zwei', 'what he wrote is still there');
  assert.equal(await people.getAttribute('aria-invalid'), 'true');
  await people.fill('1');
  await page.getByRole('radio', { name: 'Nein' }).check();
  await page.getByRole('button', { name: 'Weiter' }).click();
  await page.waitForURL(/schritt\/income_assets$/);
  await context.close();
});

/// What the Sozialamt's caseworker sees of Jonas's data shared for the Grundsicherung check.
async function sharedWithSozialamt() {
  const { context, page } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Murat Yılmaz');
  const answer = await page.evaluate(async () => {
    const response = await fetch('/api/mitarbeitende/freigabe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `citizen=00000000-0000-4000-8000-000000000202&purpose=${encodeURIComponent('Prüfung eines Anspruchs auf Grundsicherung')}`,
    });
    return { status: response.status, body: await response.json() };
  });
  await context.close();
  return answer.status === 200 ? Object.keys(answer.body.data).sort() : answer.status;
}

test('a citizen grants and revokes a sharing, and the caseworker\'s view changes on the next request', async () => {
  assert.deepEqual(await sharedWithSozialamt(), ['income_assets']);
  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber');
  await hydrated(page);
  await page.getByRole('link', { name: 'Freigaben verwalten: wer was sehen darf' }).click();
  await heading(page, 'Wer darf die Daten von Jonas Weber sehen?');
  const incomeRow = page.locator('table.matrix').getByRole('row', { name: /Einkommen und Vermögen/ });
  assert.match(await incomeRow.textContent(), /Von Ihnen freigegeben für: Prüfung eines Anspruchs auf Grundsicherung/);
  assert.match(await incomeRow.textContent(), /Nötig für Ihren Antrag KS-2026-000001/);

  const offer = page.locator('section.offer', { hasText: 'Sozialamt darf „Wohnung“ sehen' });
  await offer.getByLabel('Wie lange?').selectOption('30');
  await offer.getByRole('button', { name: 'Freigeben' }).click();
  await page.getByRole('link', { name: /Widerrufen – Sozialamt: Wohnung/ }).waitFor();
  assert.deepEqual(await sharedWithSozialamt(), ['housing', 'income_assets'], 'granted: seen on the next request');

  await page.getByRole('link', { name: /Widerrufen – Sozialamt: Wohnung/ }).click();
  await page.getByRole('heading', { name: 'Freigabe widerrufen?' }).waitFor();
  assert.match(
    await page.getByRole('region', { name: 'Freigabe widerrufen?' }).textContent(),
    /sieht Sozialamt „Wohnung“ ab sofort nicht mehr für: Prüfung eines Anspruchs auf Grundsicherung/,
  );
  await page.getByRole('button', { name: 'Ja, Freigabe widerrufen' }).click();
  await page.getByText('Diese Freigabe gilt nicht mehr').waitFor();
  assert.deepEqual(await sharedWithSozialamt(), ['income_assets'], 'revoked: gone on the next request');
  const history = await page.locator('table').last().textContent();
  assert.match(history, /Widerrufen/);
  assert.match(history, /Freigegeben/);

  await page.getByRole('link', { name: 'Das sieht Sozialamt' }).click();
  await heading(page, 'Das sieht Sozialamt von Jonas Weber');
  const seen = await page.locator('main h2').allTextContents();
  assert.deepEqual(seen, ['Einkommen und Vermögen'], 'only what the rules allow the office');
  assert.deepEqual(problems, []);
  await context.close();
});
