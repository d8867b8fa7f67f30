// Every page, as each kind of person sees it, in German and English, empty, filled in and with
// error messages: axe-core finds no WCAG 2.1 A/AA violation, no page breaks the
// Content-Security-Policy, and every page reflows to 320 CSS pixels without scrolling sideways
// (WCAG 1.4.10; tables scroll inside their own region, which the criterion allows).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeViolations, hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';

const portal = portalAndBrowser({ demoData: true });

const JONAS_WOHNGELD = '00000000-0000-4000-8000-000000000701';
const JONAS = '00000000-0000-4000-8000-000000000202';

/// Who sees which pages. `null` is nobody signed in. An entry with `then` also checks the
/// state after that action (an error message, a confirmation).
const VISITS = [
  {
    person: null,
    pages: [
      { path: '/' },
      { path: '/buerger' },
      { path: '/mitarbeitende' },
      { path: '/verwaltung' },
      { path: '/anmelden/demo' },
      { path: '/abgemeldet' },
      { path: '/anmeldung-fehlgeschlagen?grund=zu-viele&zugang=buerger' },
      { path: '/kein-zugang' },
      { path: '/gibt-es-nicht' },
      {
        path: '/barrierefreiheit',
        then: [
          ['the feedback form refused', (page) => submitIn(page, 'section[aria-labelledby="rueckmeldung"]', '.error-summary')],
          ['the feedback sent', async (page) => {
            await page.locator('#message').fill('Der Kontrast der Hinweise ist zu schwach.');
            await submitIn(page, 'section[aria-labelledby="rueckmeldung"]', '.notice');
          }],
        ],
      },
    ],
  },
  {
    person: 'Selin Kaya',
    pages: [{ path: '/buerger/start' }, { path: '/buerger/zugriffe' }, { path: '/buerger/freigaben' }, { path: '/buerger/daten' }],
  },
  {
    person: 'Anna Becker',
    pages: [
      { path: '/buerger/start' },
      { path: '/buerger/sitzungen' },
      { path: '/buerger/daten' },
      { path: '/buerger/daten/contact' },
      { path: '/buerger/freigaben' },
      { path: '/buerger/freigaben/amt/sozialamt' },
      { path: '/buerger/antrag' },
      { path: '/buerger/antrag/schritt/identity' },
      {
        path: '/buerger/antrag/schritt/bank_account',
        then: [['a step refused', async (page) => {
          await page.locator('main input[type="text"]').last().fill('XX');
          await submitIn(page, 'main', '.error-summary');
        }]],
      },
      { path: '/buerger/antrag/pruefen' },
    ],
  },
  {
    person: 'Jonas Weber',
    pages: [
      { path: '/buerger/start' },
      { path: `/buerger/antraege/${JONAS_WOHNGELD}` },
      { path: `/buerger/antrag/eingang?antraege=${JONAS_WOHNGELD}` },
      { path: '/buerger/freigaben' },
      { path: '/buerger/zugriffe' },
    ],
  },
  {
    person: 'Sabine Fischer',
    pages: [
      { path: '/mitarbeitende/start' },
      { path: '/mitarbeitende/warteschlange' },
      { path: '/mitarbeitende/warteschlange?suche=niemand-heisst-so' },
      { path: '/mitarbeitende/warteschlange?suche=Weber' },
      { path: `/mitarbeitende/faelle/${JONAS_WOHNGELD}` },
    ],
  },
  { person: 'Lena Hoffmann', pages: [{ path: '/mitarbeitende/warteschlange' }, { path: '/mitarbeitende/notzugriffe' }] },
  {
    person: 'Murat Yılmaz',
    pages: [
      { path: '/mitarbeitende/freigaben' },
      { path: `/mitarbeitende/freigaben/ansehen?amt=sozialamt&person=${JONAS}&zweck=${encodeURIComponent('Prüfung eines Anspruchs auf Grundsicherung')}` },
    ],
  },
  { person: 'Claudia Neumann', pages: [{ path: '/datenschutz/start' }] },
  {
    person: 'Frank Richter',
    pages: [{ path: '/verwaltung/start' }, { path: '/verwaltung/vorlagen' }, { path: '/verwaltung/leistungen' }],
  },
];

/// Submits the form inside `scope` and waits for `outcome` to appear.
async function submitIn(page, scope, outcome) {
  await page.locator(`${scope} form button[type="submit"]`).last().click();
  await page.locator(outcome).first().waitFor({ timeout: 15_000 });
}

/// Runs `check(page, label)` on every page and state of every visit in `language`.
async function everyPage(language, viewport, check) {
  for (const visit of VISITS) {
    const { context, page, problems } = await openPage(portal.browser, { locale: language === 'en' ? 'en-GB' : 'de-DE' });
    if (viewport) await page.setViewportSize(viewport);
    await context.addCookies([{ name: 'i18n_pref_locale', value: language, url: portal.server.url }]);
    if (visit.person) await signInAsDemo(portal, page, visit.person, { hydrate: false });
    for (const { path, then = [] } of visit.pages) {
      await page.goto(`${portal.server.url}${path}`, { waitUntil: 'load' });
      await hydrated(page);
      const who = visit.person ?? 'nobody';
      await check(page, `${language} ${path} as ${who}`);
      for (const [state, act] of then) {
        await act(page);
        await check(page, `${language} ${path} as ${who}, ${state}`);
      }
    }
    const policy = problems.filter((problem) => /Content Security Policy/i.test(problem));
    assert.deepEqual(policy, [], 'no page breaks the Content-Security-Policy');
    await context.close();
  }
}

test('the check itself finds a violation where there is one', async () => {
  const { context, page } = await openPage(portal.browser);
  await page.goto(portal.server.url, { waitUntil: 'load' });
  await hydrated(page);
  await page.evaluate(() => {
    const image = document.createElement('img');
    image.src = '/favicon.svg';
    document.querySelector('main').append(image);
  });
  const found = await axeViolations(page);
  assert.ok(found.some((violation) => violation.startsWith('image-alt')), `an image without a text alternative is found: ${found}`);
  await context.close();
});

for (const language of ['de', 'en']) {
  test(`every page in ${language} has no WCAG 2.1 A/AA violation`, async () => {
    const found = [];
    let pages = 0;
    await everyPage(language, null, async (page, label) => {
      pages += 1;
      assert.equal(await page.getAttribute('html', 'lang'), language, `${label}: the page says its language`);
      for (const violation of await axeViolations(page)) found.push(`${label}: ${violation}`);
    });
    console.log(`axe-core checked ${pages} page states in ${language}`);
    assert.deepEqual(found, [], `WCAG 2.1 A/AA violations:\n${found.join('\n')}`);
  });
}

test('every page reflows to 320 CSS pixels without scrolling sideways', async () => {
  const wide = [];
  await everyPage('de', { width: 320, height: 640 }, async (page, label) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 320) wide.push(`${label}: ${width} px wide`);
  });
  assert.deepEqual(wide, [], `pages wider than 320 px:\n${wide.join('\n')}`);
});
