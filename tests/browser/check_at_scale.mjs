// The citizen's own check of the access log in headless Chromium, for the scale benchmark
// (`tests/benches/scale.rs`), which starts the portal on its generated database and runs
//   node check_at_scale.mjs PORTAL_URL SESSION_COOKIE VISITS
// The cookie is `name=value` of a signed-in citizen. The first visit checks the citizen's
// newest entries against the newest checkpoint; each later one also checks that the log only
// grew since the visit before. Prints one line per visit: `visit N: E entries of a log of S
// checked in T ms` (the island's own measure of its check, without fetching the proofs), and
// fails when the check does not end in "verified".

import { openBrowser } from './browser.mjs';

const [portal, cookie, visits = '10'] = process.argv.slice(2);
const [name, value] = cookie.split(/=(.*)/s);

const browser = await openBrowser();
try {
  const context = await browser.newContext({ locale: 'de-DE' });
  await context.addCookies([{ name, value, url: portal }]);
  const page = await context.newPage();
  for (let visit = 1; visit <= Number(visits); visit += 1) {
    const response = await page.goto(`${portal}/buerger/zugriffe`);
    if (response.status() !== 200) throw new Error(`the access log page answered ${response.status()}`);
    const result = page.locator('.log-check__result');
    await result.waitFor({ timeout: 60_000 });
    const text = await result.textContent();
    const checked = text.match(/Geprüfte Zugriffe: ([\d.]+)\. .*Stand: ([\d.]+) Einträge/);
    if (!checked) throw new Error(`the check did not verify the entries: ${text}`);
    console.log(`visit ${visit}: ${checked[1]} entries of a log of ${checked[2]} checked in ${await result.getAttribute('data-check-ms')} ms`);
  }
} finally {
  await browser.close();
}
