// The citizen's own check of the access log, in headless Chromium against the release build with
// the demo data and a witness beside the portal: Jonas's browser proves the youth office's read
// of Mia's data is in the signed and witnessed log; on his next visit, that the log only grew;
// after the database is set back to an earlier backup, it raises the alarm with the evidence;
// staff cannot open a case until the operators declare the lost entries, which Jonas then sees
// before he has his browser compare from the restored state on.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { hydrated, openPage, portalAndBrowser, signInAsDemo } from './browser.mjs';
import { serverBinary } from './server.mjs';

const portal = portalAndBrowser({ demoData: true, witness: true });
const miasCase = '00000000-0000-4000-8000-000000000702';

/// The size of the newest checkpoint shown to citizens, and whether it is cosigned (two
/// signature lines: the portal's and the witness's).
async function checkpoint() {
  const note = await (await fetch(`${portal.server.url}/log/checkpoint`)).text();
  const size = Number(note.split('\n')[1]);
  return { size, witnessed: note.split('\n').filter((line) => line.startsWith('— ')).length === 2 };
}

/// Lena opens Mia's case, and the test waits until the witnessed tree holds her read.
async function lenaReadsMiasCase() {
  const before = (await checkpoint()).size;
  const { context, page } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Lena Hoffmann');
  const response = await page.goto(`${portal.server.url}/mitarbeitende/faelle/${miasCase}`);
  assert.equal(response.status(), 200, 'the caseworker opened the case');
  await context.close();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = await checkpoint();
    if (now.witnessed && now.size > before) return now.size;
    assert.ok(Date.now() < deadline, 'the read is in a witnessed checkpoint within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('Jonas\'s browser proves the reads of Mia\'s data, sees the log only grow, raises the alarm when it is set back, and compares anew once the lost entries are declared', async () => {
  const first = await lenaReadsMiasCase();

  const { context, page, problems } = await openPage(portal.browser);
  await signInAsDemo(portal, page, 'Jonas Weber');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sehen, wer Ihre Daten gesehen hat' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Wer hat Ihre Daten gesehen?');
  // His own page, his browser's first check: nobody read his data; the log's state is signed,
  // witnessed, and kept for the next visit.
  const result = page.locator('.log-check__result');
  await result.waitFor();
  const grouped = (size) => size.toLocaleString('de-DE');
  const pattern = (size) => grouped(size).replaceAll('.', '\\.');
  assert.equal(
    await result.textContent(),
    `Hier gibt es keine Zugriffe zu prüfen. Den Stand des Protokolls der Stadt (${grouped(first)} Einträge) hat das Portal unterschrieben. ` +
      'Der unabhängige Zeuge localhost/zeuge-test hat diesen Stand bezeugt. ' +
      'Ihr Browser merkt sich diesen Stand und prüft bei Ihrem nächsten Besuch, dass seitdem nur Einträge dazugekommen sind.',
  );

  // Mia's page: the youth office's read is in the witnessed log, which has not changed since.
  await page.getByRole('link', { name: 'Zugriffe auf die Daten von Mia Weber' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Wer hat die Daten von Mia Weber gesehen?');
  await page.waitForFunction(() => document.querySelector('.log-check__result')?.textContent.startsWith('Geprüfte Zugriffe'));
  assert.equal(
    await result.textContent(),
    `Geprüfte Zugriffe: 1. Jeder steht so im Protokoll der Stadt (Stand: ${grouped(first)} Einträge), und das Portal hat diesen Stand unterschrieben. ` +
      'Der unabhängige Zeuge localhost/zeuge-test hat diesen Stand bezeugt. ' +
      `Seit Ihrem letzten Besuch (Stand: ${grouped(first)} Einträge) sind nur Einträge dazugekommen; keiner wurde geändert oder gelöscht.`,
  );
  console.log(`the browser verified 1 entry in ${await result.getAttribute('data-check-ms')} ms`);
  await page.getByText('Die Schlüssel, mit denen Ihr Browser prüft').click();
  assert.match(await page.locator('details').textContent(), /localhost\/zeuge-test – Fingerabdruck [0-9a-f]{8}/);
  const backup = await portal.server.snapshot();

  // The next visit, after another read: the log only grew.
  const second = await lenaReadsMiasCase();
  await page.reload();
  await result.waitFor();
  assert.match(await result.textContent(), new RegExp(`^Geprüfte Zugriffe: 2\\. .*Stand: ${pattern(second)} Einträge`));
  assert.match(
    await result.textContent(),
    new RegExp(`Seit Ihrem letzten Besuch \\(Stand: ${pattern(first)} Einträge\\) sind nur Einträge dazugekommen; keiner wurde geändert oder gelöscht\\.$`),
  );
  console.log(`the browser verified 2 entries and the consistency since its last visit in ${await result.getAttribute('data-check-ms')} ms`);

  // The export carries each entry's proof: `server verify-proof` and the README's Python check
  // it offline with the keys the page shows, and both refuse an export whose entry was changed.
  const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Daten als Datei herunterladen (JSON)' }).click()]);
  const directory = mkdtempSync(join(tmpdir(), 'klarsicht-export-'));
  const file = join(directory, 'export.json');
  const export_ = JSON.parse(readFileSync(await exported.path(), 'utf8'));
  writeFileSync(file, JSON.stringify(export_));
  assert.equal(export_.access_log.length, 2);
  assert.ok(export_.access_log.every((entry) => entry.log_proof?.checkpoint.startsWith('localhost/klarsicht-zugriffsprotokoll\n')));
  const [logKey, witnessKey] = await page.locator('details code.log-key').allTextContents();
  const python = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('```python\n')[1].split('\n```')[0];
  const checks = (path) => [
    spawnSync(serverBinary, ['verify-proof', path, '--log-key', logKey, '--witness-key', witnessKey], { encoding: 'utf8' }),
    spawnSync('python3', ['-', path, logKey, witnessKey], { input: python, encoding: 'utf8' }),
  ];
  const [ours, readers] = checks(file);
  assert.equal(ours.status, 0, ours.stderr);
  assert.match(ours.stdout, /^the export's proofs hold: 2 access-log entries are in the log as the export says, in checkpoints signed by the portal and cosigned by the witness; 0 too new/);
  assert.equal(readers.status, 0, readers.stderr);
  assert.equal(readers.stdout, '2 entries are in the witnessed log, as the export says\n');
  export_.access_log[0].purpose = 'Neugier';
  const changed = join(directory, 'changed.json');
  writeFileSync(changed, JSON.stringify(export_));
  for (const refused of checks(changed)) assert.notEqual(refused.status, 0, `${refused.stdout}${refused.stderr}`);

  // The database set back to the backup: Lena's second read is gone, and the log with it.
  await portal.server.restore(backup);
  await page.reload();
  const alarm = page.getByRole('alert');
  await alarm.waitFor();
  assert.equal(
    (await alarm.locator('p').first().textContent()).trim(),
    `Achtung: Das Protokoll stimmt nicht. Das Protokoll hat weniger Einträge (${grouped(first)}) als bei Ihrem letzten Besuch (${grouped(second)}): Es wurde zurückgesetzt.`,
  );
  const [download] = await Promise.all([page.waitForEvent('download'), alarm.getByRole('link', { name: 'Beweisdatei herunterladen' }).click()]);
  const evidence = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(evidence.found, { SetBack: { before: second, now: first } });
  assert.match(evidence.remembered.checkpoint, new RegExp(`\\n${second}\\n`), 'the evidence holds the signed checkpoint the browser verified before');
  assert.match(evidence.proofs.checkpoint, new RegExp(`\\n${first}\\n`), 'and the one the portal answers now');

  // The portal learnt from the witness at its start that its log lost entries: no case opens,
  // and every staff page says why, until the operators declare the gap.
  const lost = second - first;
  const staff = await openPage(portal.browser);
  await signInAsDemo(portal, staff.page, 'Lena Hoffmann');
  const locked = await staff.page.goto(`${portal.server.url}/mitarbeitende/faelle/${miasCase}`);
  assert.equal(locked.status(), 503, 'no citizen\'s data opens while the log is behind its witness');
  assert.equal(await staff.page.locator('h1').textContent(), 'Akten vorübergehend gesperrt');
  assert.match(
    await staff.page.getByRole('alert').first().textContent(),
    new RegExp(`^\\s*Akten gesperrt: Dem Zugriffsprotokoll fehlen Einträge, die der unabhängige Zeuge schon bestätigt hat \\(Anzahl: ${lost}\\)`),
  );
  const reason = 'Festplatte defekt, Sicherung von heute früh eingespielt';
  const declared = portal.server.command('declare-gap', '--reason', reason);
  assert.equal(declared.status, 0, declared.output);
  assert.match(declared.output, new RegExp(`^declared: the access log lost ${lost} entries`));
  const open = await staff.page.reload();
  assert.equal(open.status(), 200, 'the case opens once the gap is declared');
  assert.equal(await staff.page.getByRole('alert').count(), 0, 'and no staff page warns any more');
  await staff.context.close();

  // Jonas sees the declared gap with the operators' reason.
  await page.reload();
  const gap = page.getByRole('region', { name: 'Verlorene Einträge im Protokoll' });
  assert.match(await gap.textContent(), new RegExp(`Dabei gingen Einträge verloren \\(Anzahl: ${lost}\\)`));
  assert.match(await gap.textContent(), new RegExp(`Begründung des Betriebs: ${reason}`));

  // The log was set back all the same, and his browser keeps saying so, until Jonas, the
  // evidence kept and the gap explained, has it compare from today's state on.
  await alarm.waitFor();
  await alarm.getByRole('button', { name: 'Heutigen Stand prüfen und künftig mit ihm vergleichen' }).click();
  await page.waitForFunction(() => document.querySelector('.log-check__result')?.textContent.startsWith('Geprüfte Zugriffe'));
  assert.match(await result.textContent(), new RegExp(`^Geprüfte Zugriffe: 1\\. .*Stand: ${pattern(first)} Einträge.*Ihr Browser merkt sich diesen Stand`));
  await page.reload();
  await result.waitFor();
  assert.match(await result.textContent(), new RegExp(`Seit Ihrem letzten Besuch \\(Stand: ${pattern(first)} Einträge\\) sind nur Einträge dazugekommen`));
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(problems, []);
  // The locked case's 503, and the browser's console line about it, were expected.
  assert.deepEqual(staff.problems.filter((problem) => !problem.includes(miasCase)), []);
  await context.close();
});
