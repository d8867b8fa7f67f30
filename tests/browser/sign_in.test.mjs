// Signing in through a real OpenID provider (oidc-provider) in headless Chromium: a citizen and
// a caseworker, signing out (here and at the provider), an unknown person at the staff
// entrance, and a session that runs out while idle.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, openPage } from './browser.mjs';
import { CLIENTS, loginAtProvider, startProvider } from './oidc_provider.mjs';
import { freePort, startServer } from './server.mjs';

let browser;
const running = [];

before(async () => {
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  for (const stop of running.reverse()) await stop();
});

/// The portal with a provider for both entrances and the demo data (for the staff directory).
async function portalWithProvider(env = {}) {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const provider = await startProvider(appUrl);
  running.push(() => provider.stop());
  const server = await startServer({
    port,
    demoData: true,
    env: {
      KLARSICHT_CITIZEN_OIDC_ISSUER: provider.issuer,
      KLARSICHT_CITIZEN_OIDC_CLIENT_ID: CLIENTS.citizen.id,
      KLARSICHT_CITIZEN_OIDC_CLIENT_SECRET: CLIENTS.citizen.secret,
      KLARSICHT_STAFF_OIDC_ISSUER: provider.issuer,
      KLARSICHT_STAFF_OIDC_CLIENT_ID: CLIENTS.staff.id,
      KLARSICHT_STAFF_OIDC_CLIENT_SECRET: CLIENTS.staff.secret,
      ...env,
    },
  });
  running.push(() => server.stop());
  return { server, provider };
}

test('a citizen signs in at the provider, sees their sessions, and signs out', async () => {
  const { server, provider } = await portalWithProvider();
  const { context, page, problems } = await openPage(browser);

  await page.goto(`${server.url}/buerger`);
  await page.getByRole('link', { name: 'Mit dem Bürgerkonto anmelden' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await loginAtProvider(page, 'konto-erika');

  await page.waitForURL(`${server.url}/buerger/start`);
  assert.match(await page.locator('h1').textContent(), /^Guten Tag, Erika Mustermann$/);
  assert.match(await page.locator('.signed-in__name').textContent(), /Angemeldet als\s+Erika Mustermann/);

  await page.getByRole('link', { name: 'Ihre Anmeldungen ansehen und beenden' }).click();
  await page.waitForURL(`${server.url}/buerger/sitzungen`);
  assert.equal(await page.locator('tbody tr').count(), 1);
  assert.equal(await page.locator('tbody .tag').textContent(), 'Dieses Gerät');

  const cookies = await context.cookies(server.url);
  const session = cookies.find((cookie) => cookie.name === 'klarsicht');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');

  await page.getByRole('button', { name: 'Abmelden' }).click();
  // The provider asks whether to end its session too.
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('button[name="logout"][value="yes"]').click();
  await page.waitForURL(`${server.url}/abgemeldet`);
  assert.equal(await page.locator('h1').textContent(), 'Sie sind abgemeldet');

  await page.goto(`${server.url}/buerger/start`);
  await page.waitForURL((url) => url.pathname === '/buerger');
  assert.equal(new URL(page.url()).searchParams.get('zurueck'), '/buerger/start', 'signed out: back to the entrance');

  // The provider's own pages are not ours to judge; the portal's must be clean.
  const ours = problems.filter((problem) => problem.includes(server.url) || problem.startsWith('uncaught'));
  assert.deepEqual(ours, [], 'no console errors on the portal');
  await context.close();
});

test('a caseworker signs in at the staff entrance and lands in their workspace', async () => {
  const { server, provider } = await portalWithProvider();
  const { context, page } = await openPage(browser);

  await page.goto(`${server.url}/mitarbeitende`);
  await page.getByRole('link', { name: 'Mit dem Dienstkonto anmelden' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await loginAtProvider(page, 'demo-lena');

  await page.waitForURL(`${server.url}/mitarbeitende/start`);
  assert.equal(await page.locator('h1').textContent(), 'Guten Tag, Lena Hoffmann');
  assert.match(await page.locator('main').textContent(), /Sachbearbeitung: Jugendamt/);

  // Her role does not open the administration.
  const response = await page.goto(`${server.url}/verwaltung/start`);
  assert.equal(response.status(), 403);
  assert.equal(await page.locator('h1').textContent(), 'Kein Zugang');
  await context.close();
});

test('an unknown person at the staff entrance gets a clear refusal and no session', async () => {
  const { server, provider } = await portalWithProvider();
  const { context, page } = await openPage(browser);

  await page.goto(`${server.url}/mitarbeitende`);
  await page.getByRole('link', { name: 'Mit dem Dienstkonto anmelden' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await loginAtProvider(page, 'fremde-person');

  await page.waitForURL((url) => url.pathname === '/kein-zugang');
  assert.equal(await page.locator('h1').textContent(), 'Kein Zugang');
  assert.match(await page.locator('main').textContent(), /nicht als Mitarbeiterin oder Mitarbeiter/);
  const cookies = await context.cookies(server.url);
  assert.equal(cookies.find((cookie) => cookie.name === 'klarsicht'), undefined, 'no session cookie');
  await context.close();
});

test('a session ends after the idle time', { timeout: 120_000 }, async () => {
  const { server, provider } = await portalWithProvider({ KLARSICHT_SESSION_IDLE_MINUTES: '1' });
  const { context, page } = await openPage(browser);

  await page.goto(`${server.url}/buerger`);
  await page.getByRole('link', { name: 'Mit dem Bürgerkonto anmelden' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await loginAtProvider(page, 'konto-erika');
  await page.waitForURL(`${server.url}/buerger/start`);

  await new Promise((resolve) => setTimeout(resolve, 65_000));
  await page.goto(`${server.url}/buerger/start`);
  await page.waitForURL((url) => url.pathname === '/buerger');
  assert.equal(await page.locator('h1').textContent(), 'Zugang für Bürgerinnen und Bürger');
  await context.close();
});
