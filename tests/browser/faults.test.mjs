// Faults against the release build: the server killed (SIGKILL) while a citizen submits two
// applications and others save data, and PostgreSQL restarted under load. Afterwards nothing
// that was confirmed is lost, no application is half-written, the access log is intact, and the
// server serves again without being restarted for PostgreSQL's sake.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';

import { startServer } from './server.mjs';

const ANNA = '00000000-0000-4000-8000-000000000201';
const JONAS = '00000000-0000-4000-8000-000000000202';
const SABINE = '00000000-0000-4000-8000-000000000104';

/// A signed-in demo person talking to the server functions as the WebAssembly does.
async function signIn(server, person) {
  const response = await fetch(`${server.url}/anmelden/demo`, {
    method: 'POST',
    body: new URLSearchParams({ person }),
    redirect: 'manual',
  });
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('klarsicht='));
  assert.ok(cookie, 'the demo sign-in sets the session cookie');
  const session = cookie.split(';')[0];
  return async (endpoint, fields = []) => {
    const response = await fetch(`${server.url}/api/${endpoint}`, {
      method: 'POST',
      headers: { cookie: session, accept: 'application/json' },
      body: new URLSearchParams(fields),
    });
    const text = await response.text();
    let body = text;
    try { body = JSON.parse(text); } catch { /* a plain answer */ }
    return { status: response.status, body };
  };
}

/// Anna's two applications (housing benefit and basic income support) filled in up to the
/// check page; answers the submit call's arguments.
async function preparedSubmission(anna) {
  const chosen = await anna('buerger/antrag-waehlen', [['benefits[0]', 'wohngeld'], ['benefits[1]', 'grundsicherung']]);
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  let page = chosen.body.split('/').pop();
  const extra = { kontoinhaber: 'Anna Becker', iban: 'DE89370400440532013000' };
  while (page !== 'pruefen') {
    const step = await anna('buerger/antrag-schritt', [['category', page]]);
    assert.equal(step.status, 200, JSON.stringify(step.body));
    const fields = step.body.questions.map((question) => [`answers[${question.key}]`, extra[question.key] ?? question.value ?? '']);
    const saved = await anna('buerger/antrag-speichern', [...fields, ['category', page]]);
    assert.equal(saved.body.complete, true, `page ${page}: ${JSON.stringify(saved.body)}`);
    page = saved.body.next.split('?')[0].split('/').pop();
  }
  const check = await anna('buerger/antrag-pruefen');
  assert.equal(check.status, 200);
  return [['versions', check.body.offices.map((office) => office.version).join(',')]];
}

async function applications(anna) {
  const overview = await anna('buerger/uebersicht');
  assert.equal(overview.status, 200, JSON.stringify(overview.body));
  return overview.body.applications.filter((application) => application.person.id === ANNA);
}

async function phoneOf(jonas) {
  const contact = await jonas('buerger/daten-kategorie', [['category', 'contact']]);
  return contact.body.questions.find((question) => question.key === 'telefon')?.value;
}

/// Jonas's contact data with `phone` as his number, as the form sends it.
function contactOf(phone) {
  return [
    ['category', 'contact'],
    ['answers[email]', 'jonas.weber@example.org'],
    ['answers[telefon]', phone],
    ['answers[anschrift]', 'Gartenweg 5, 12345 Musterstadt'],
  ];
}

const numberOf = (phone) => Number(String(phone ?? '0').split(' ').pop());

/// Saves Jonas's phone number `count` times, one after the other; answers the last number the
/// server confirmed.
async function savePhones(jonas, count, confirmed) {
  for (let number = 1; number <= count; number += 1) {
    try {
      const saved = await jonas('buerger/daten-speichern', contactOf(`0176 ${100000 + number}`));
      if (saved.status === 200) confirmed.last = `0176 ${100000 + number}`;
    } catch {
      return; // the server is gone: no save after the crash hides a lost one
    }
  }
}

for (const postgres of [false, true]) {
  const backend = postgres ? 'PostgreSQL' : 'SQLite';
  test(`on ${backend}, a server killed during a submission loses nothing confirmed and half-writes nothing`, async () => {
    const server = await startServer({ demoData: true, postgres });
    try {
      const anna = await signIn(server, ANNA);
      const jonas = await signIn(server, JONAS);
      const before = await applications(anna);
      const submit = await preparedSubmission(anna);

      // Jonas keeps saving while Anna submits; the server dies in the middle of it.
      const initial = await phoneOf(jonas);
      const confirmed = { last: initial };
      const saving = savePhones(jonas, 400, confirmed);
      // The crash comes after a confirmed save, so that one is there to be lost.
      const deadline = Date.now() + 15_000;
      while (confirmed.last === initial) {
        assert.ok(Date.now() < deadline, 'a save is confirmed');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const submitted = anna('buerger/antrag-absenden', submit).then((answer) => answer.status, () => 'no answer');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20)));
      await server.crash();
      const outcome = await submitted;
      await saving;

      // The session survives in the database; the server serves again.
      const after = await applications(anna);
      const sent = after.filter((application) => application.status === 'submitted');
      const wasSent = before.filter((application) => application.status === 'submitted');
      const newlySent = sent.length - wasSent.length;
      assert.ok(newlySent === 0 || newlySent === 2, `both applications or neither: ${newlySent} (${JSON.stringify(after)})`);
      if (outcome === 200) assert.equal(newlySent, 2, 'a confirmed submission is kept');
      console.log(`${backend}: submission answered ${outcome}; ${newlySent} applications stored; last confirmed phone ${confirmed.last}`);
      if (newlySent === 0) {
        const again = await anna('buerger/antrag-absenden', submit);
        assert.equal(again.status, 200, `the untouched draft can still be sent: ${JSON.stringify(again.body)}`);
      }

      const phone = await phoneOf(jonas);
      assert.ok(numberOf(phone) >= numberOf(confirmed.last), `the last confirmed save (${confirmed.last}) is kept: ${phone}`);

      const log = server.command('verify-access-log');
      assert.equal(log.status, 0, log.output);
    } finally {
      await server.stop();
    }
  });
}

/// The local PostgreSQL cluster, restarted as an operator would.
function restartPostgres() {
  const version = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
}

test('PostgreSQL restarted under load: the server reconnects by itself and loses nothing confirmed', async () => {
  const server = await startServer({ demoData: true, postgres: true });
  try {
    const jonas = await signIn(server, JONAS);
    const sabine = await signIn(server, SABINE);
    let running = true;
    const confirmed = { last: await phoneOf(jonas) };
    const answers = { ok: 0, failed: 0 };
    const load = (async () => {
      let number = 0;
      while (running) {
        number += 1;
        const value = `0176 ${200000 + number}`;
        const [saved, queue] = await Promise.all([
          jonas('buerger/daten-speichern', contactOf(value)).catch(() => ({ status: 0 })),
          sabine('mitarbeitende/warteschlange').catch(() => ({ status: 0 })),
        ]);
        if (saved.status === 200) confirmed.last = value;
        for (const answer of [saved, queue]) answers[answer.status === 200 ? 'ok' : 'failed'] += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const startedBefore = server.sql('SELECT pg_postmaster_start_time()');
    restartPostgres();
    assert.notEqual(server.sql('SELECT pg_postmaster_start_time()'), startedBefore, 'PostgreSQL did restart');
    // Without any help from outside, the server answers again within seconds.
    const deadline = Date.now() + 20_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      const queue = await sabine('mitarbeitende/warteschlange').catch(() => ({ status: 0 }));
      ready = queue.status === 200;
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(ready, 'the queue answers again after PostgreSQL restarted');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
    await load;
    console.log(`PostgreSQL restart under load: ${answers.ok} requests answered, ${answers.failed} failed while it was away`);
    assert.ok(answers.ok > 0);

    // The last confirmed save, or one whose answer was lost with the connection.
    const phone = await phoneOf(jonas);
    assert.ok(numberOf(phone) >= numberOf(confirmed.last), `the last confirmed save (${confirmed.last}) is kept: ${phone}`);
    assert.equal((await fetch(`${server.url}/health/ready`)).status, 200);
    const log = server.command('verify-access-log');
    assert.equal(log.status, 0, log.output);
  } finally {
    await server.stop();
  }
});
