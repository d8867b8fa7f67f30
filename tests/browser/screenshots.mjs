// The README's two pictures, taken from the release build with the demo data: the citizen's
// consent cockpit and a caseworker's case. Not a test; run it after a change to either page:
//   KLARSICHT_SERVER_BINARY=target/release/server KLARSICHT_SITE_ROOT=target/site \
//     npm run screenshots --prefix tests/browser

import { mkdir } from 'node:fs/promises';

import { openBrowser, signInAsDemo } from './browser.mjs';
import { startServer } from './server.mjs';

const IMAGES = new URL('../../docs/images/', import.meta.url).pathname;
const JONAS_WOHNGELD = '00000000-0000-4000-8000-000000000701';

const portal = { server: await startServer({ demoData: true }), browser: await openBrowser() };
try {
  await mkdir(IMAGES, { recursive: true });
  for (const [person, path, file] of [
    ['Jonas Weber', '/buerger/freigaben', 'citizen-cockpit.png'],
    ['Sabine Fischer', `/mitarbeitende/faelle/${JONAS_WOHNGELD}`, 'caseworker-case.png'],
  ]) {
    const context = await portal.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInAsDemo(portal, page, person);
    await page.goto(`${portal.server.url}${path}`);
    await page.screenshot({ path: `${IMAGES}${file}` });
    console.log(`docs/images/${file}`);
    await context.close();
  }
} finally {
  await portal.browser.close();
  await portal.server.stop();
}
