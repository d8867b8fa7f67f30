// The staff view in headless Chromium against the release build, with the demo data: the
// Wohngeldstelle's caseworker takes a new application from the queue, asks for a document, the
// citizen hands it in, the caseworker decides (confirmed), and the citizen reads the decision.
// The decision takes at most six interactions from the queue; the count is checked below.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const JONAS_WOHNGELD = '00000000-0000-4000-8000-000000000701';

test('a caseworker takes a new application, asks for a document, the citizen hands it in, and the decision reaches the citizen', async () => {
  const staff = await openPage(portal.browser);
  const citizen = await openPage(portal.browser);
  const sabine = staff.page;
  const jonas = citizen.page;

  await signInAsDemo(portal, sabine, 'Sabine Fischer', { landing: '/mitarbeitende/start' });
  await sabine.getByRole('link', { name: 'Zur Warteschlange Ihres Amts' }).click();
  await sabine.waitForURL((url) => url.pathname === '/mitarbeitende/warteschlange');
  await sabine.getByRole('link', { name: 'Neu (1)' }).waitFor();
  const row = sabine.locator('tbody tr', { hasText: 'KS-2026-000001' });
  assert.doesNotMatch(await row.textContent(), /Jonas Weber/, 'a list shows no names');

  // Each of the caseworker's steps from the queue to the decision goes through `step`, which
  // counts it: take it from the queue (the case opens), then choose, reason, confirm, send.
  let interactions = 0;
  const step = async (action) => {
    interactions += 1;
    await action;
  };
  await step(row.getByRole('button', { name: 'Übernehmen KS-2026-000001' }).click());
  await sabine.waitForURL((url) => url.pathname === `/mitarbeitende/faelle/${JONAS_WOHNGELD}`);
  await sabine.getByText('Die Zuständigkeit ist gespeichert.').waitFor();
  await sabine.getByRole('heading', { name: 'KS-2026-000001 – Wohngeld' }).waitFor();
  await hydrated(sabine);

  // A request the citizen sees as a to-do.
  await sabine.getByLabel('Unterlagen oder Auskunft anfordern').fill('Bitte den Mietvertrag, alle Seiten.');
  await sabine.getByRole('button', { name: 'Anfordern' }).click();
  await sabine.getByText('Die Anforderung ist gesendet. Die Person sieht sie als Aufgabe.').waitFor();

  await signInAsDemo(portal, jonas, 'Jonas Weber', { landing: '/buerger/start' });
  // Two to-dos wait for him (the youth office asks too); this one is the Wohngeldstelle's.
  await jonas.getByRole('listitem').filter({ hasText: 'Wohngeldstelle' }).getByRole('link', { name: 'Dokument hochladen', exact: true }).click();
  await jonas.waitForURL((url) => url.pathname === `/buerger/antraege/${JONAS_WOHNGELD}`);
  const request = jonas.locator('.request');
  assert.match(await request.textContent(), /Mietvertrag/);
  await request.getByLabel('Dokument für diese Anfrage auswählen').setInputFiles({ name: 'Mietvertrag.pdf', mimeType: 'application/pdf', buffer: PDF });
  await request.getByRole('button', { name: 'Hochladen' }).click();
  await jonas.waitForURL((url) => url.searchParams.get('hochgeladen') === '1');

  // Back in the case the document is there; the decision: choose, reason, confirm, send.
  await sabine.reload();
  await hydrated(sabine);
  await sabine.getByRole('link', { name: 'Mietvertrag.pdf' }).waitFor();
  await step(sabine.getByLabel('Bewilligen').check());
  await step(sabine.getByLabel('Begründung').fill('Die Miete ist belegt. Sie bekommen Wohngeld ab dem 1. Dezember.'));
  await step(sabine.getByLabel('Ich habe den Antrag geprüft. Die Entscheidung wird der Person jetzt mitgeteilt.').check());
  await step(sabine.getByRole('button', { name: 'Entscheidung mitteilen' }).click());
  await sabine.getByText('Die Entscheidung ist mitgeteilt.').waitFor();
  assert.ok(interactions <= 6, `from the queue to a decision in ${interactions} interactions`);
  console.log(`# interactions from the queue to a decision: ${interactions}`);

  await jonas.reload();
  await jonas.getByText('Die Miete ist belegt. Sie bekommen Wohngeld ab dem 1. Dezember.').waitFor();
  assert.match(await jonas.locator('main').textContent(), /bewilligt/);

  assert.deepEqual(staff.problems, []);
  assert.deepEqual(citizen.problems, []);
  await staff.context.close();
  await citizen.context.close();
});

test('a caseworker opens the data a citizen shared with the office by clicks, and the citizen reads both reads in the log', async () => {
  const staff = await openPage(portal.browser);
  const citizen = await openPage(portal.browser);
  const murat = staff.page;
  const jonas = citizen.page;

  await signInAsDemo(portal, murat, 'Murat Yılmaz', { landing: '/mitarbeitende/start' });
  await murat.getByRole('link', { name: 'Freigaben an Ihr Amt: wer Ihnen was freigegeben hat' }).click();
  await murat.waitForURL((url) => url.pathname === '/mitarbeitende/freigaben');
  await murat.getByRole('heading', { name: 'Freigaben an: Sozialamt' }).waitFor();
  const row = murat.getByRole('row', { name: /Jonas Weber/ });
  const text = await row.textContent();
  assert.match(text, /Prüfung eines Anspruchs auf Grundsicherung/);
  assert.match(text, /Einkommen und Vermögen/);
  assert.match(text, /03\.11\.2027/);
  await row.getByRole('link', { name: /Ansehen/ }).click();
  await murat.waitForURL((url) => url.pathname === '/mitarbeitende/freigaben/ansehen');
  await murat.getByRole('heading', { name: 'Freigegebene Daten' }).waitFor();
  assert.deepEqual(await murat.locator('main h3').allTextContents(), ['Einkommen und Vermögen'], 'what he shared, and nothing else');
  await murat.getByRole('link', { name: 'Zurück zu den Freigaben' }).click();
  await murat.waitForURL((url) => url.pathname === '/mitarbeitende/freigaben');

  await signInAsDemo(portal, jonas, 'Jonas Weber', { landing: '/buerger/start' });
  await jonas.getByRole('link', { name: 'Sehen, wer Ihre Daten gesehen hat' }).click();
  await jonas.waitForURL((url) => url.pathname === '/buerger/zugriffe');
  const sozialamt = jonas.locator('tbody tr', { hasText: 'Sozialamt' });
  await sozialamt.first().waitFor();
  const reads = (await sozialamt.allTextContents()).join('\n');
  assert.match(reads, /Ihr Name in der Liste der Freigaben: Prüfung eines Anspruchs auf Grundsicherung/, reads);
  assert.match(reads, /Einkommen und Vermögen[^\n]*Prüfung eines Anspruchs auf Grundsicherung/, reads);

  assert.deepEqual(staff.problems, []);
  assert.deepEqual(citizen.problems, []);
  await staff.context.close();
  await citizen.context.close();
});
