// The citizen's and the caseworker's journeys with the keyboard alone: no click, no filling of
// fields by script. Tab moves the focus until it reaches the control a person would look for
// (by its visible name), Enter or Space works it, and text is typed key by key.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

/// The focused element's kind and name as a screen reader would announce it: its label, its
/// aria-label or its text.
function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { tag: 'body', name: '' };
    const name = element.getAttribute('aria-label') ?? (element.labels?.[0]?.textContent || element.textContent || '');
    return { tag: element.tagName.toLowerCase(), type: element.getAttribute('type') ?? '', name: name.replace(/\s+/g, ' ').trim() };
  });
}

/// Presses Tab until the focus is on a control whose name contains `name` (and of `tag`, when
/// given); fails when the page has no such control within reach.
async function tabTo(page, name, tag) {
  for (let presses = 0; presses < 150; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.name.includes(name) && (!tag || now.tag === tag)) return;
  }
  assert.fail(`"${name}" cannot be reached with Tab on ${page.url()}`);
}

async function heading(page, text) {
  await page.waitForFunction((wanted) => document.querySelector('h1')?.textContent === wanted, text, { timeout: 15_000 });
  await hydrated(page);
}

/// Signs in by keyboard alone: the journey under test, so not the shared `signInAsDemo`.
async function signInByKeyboard(page, person) {
  await page.goto(`${portal.server.url}/anmelden/demo`);
  await hydrated(page);
  await tabTo(page, `Als ${person} anmelden`, 'button');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname.endsWith('/start'));
}

test('a citizen applies for two kinds of help with the keyboard alone', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await signInByKeyboard(page, 'Anna Becker');
  await heading(page, 'Guten Tag, Anna Becker');

  await tabTo(page, 'Antrag fortsetzen', 'a');
  await page.keyboard.press('Enter');
  await heading(page, 'Hilfe beantragen');
  await tabTo(page, 'Wohngeld', 'input');
  await page.keyboard.press('Space');
  await tabTo(page, 'Weiter', 'button');
  await page.keyboard.press('Enter');
  for (const topic of ['Angaben zu Ihrer Person', 'Ihr Haushalt', 'Einkommen und Vermögen', 'Ihre Wohnung']) {
    await heading(page, topic);
    await tabTo(page, 'Weiter', 'button');
    await page.keyboard.press('Enter');
  }
  await heading(page, 'Bankverbindung');
  await tabTo(page, 'Kontoinhaberin oder Kontoinhaber', 'input');
  await page.keyboard.type('Anna Becker');
  await tabTo(page, 'IBAN', 'input');
  await page.keyboard.type('DE89 3704 0044 0532 0130 00');
  await tabTo(page, 'Weiter', 'button');
  await page.keyboard.press('Enter');

  await heading(page, 'Prüfen Sie Ihre Angaben');
  await tabTo(page, '2 Anträge absenden', 'button');
  await page.keyboard.press('Enter');
  await heading(page, 'Ihre Anträge sind eingegangen');
  assert.equal((await page.locator('tbody th').allTextContents()).length, 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a caseworker takes a case from the queue and decides it with the keyboard alone', async () => {
  const { context, page, problems } = await openPage(portal.browser);
  await signInByKeyboard(page, 'Sabine Fischer');
  await hydrated(page);

  await tabTo(page, 'Zur Warteschlange Ihres Amts', 'a');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/mitarbeitende/warteschlange');
  await hydrated(page);
  await tabTo(page, 'Übernehmen KS-2026-000001', 'button');
  await page.keyboard.press('Enter');
  await page.getByText('Die Zuständigkeit ist gespeichert.').waitFor();
  await hydrated(page);

  await tabTo(page, 'Bewilligen', 'input');
  await page.keyboard.press('Space');
  await tabTo(page, 'Begründung', 'textarea');
  await page.keyboard.type('Die Miete ist belegt. Sie bekommen Wohngeld.');
  await tabTo(page, 'Ich habe den Antrag geprüft.', 'input');
  await page.keyboard.press('Space');
  await tabTo(page, 'Entscheidung mitteilen', 'button');
  await page.keyboard.press('Enter');
  await page.getByText('Die Entscheidung ist mitgeteilt.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
