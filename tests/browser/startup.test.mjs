// The release binary refuses bad settings with one clear line and a non-zero exit.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { serverBinary } from './server.mjs';

function runServer(env, args = ['serve']) {
  return spawnSync(serverBinary, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, RUST_LOG: 'off', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('a bad DATABASE_URL stops the server with one line and exit code 1', () => {
  const result = runServer({ DATABASE_URL: 'mysql://root@localhost/klarsicht', KLARSICHT_LISTEN: '127.0.0.1:0' });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: DATABASE_URL uses 'mysql', which Klarsicht does not support/);
});

test('production mode without a secret stops the server with one line and exit code 1', () => {
  const result = runServer({ KLARSICHT_MODE: 'production', KLARSICHT_LISTEN: '127.0.0.1:0' });
  assert.equal(result.status, 1);
  assert.match(result.stderr.trim(), /^error: KLARSICHT_SECRET is missing/);
});

test('development mode, as when KLARSICHT_MODE is forgotten, refuses an open address with one line naming the settings', () => {
  const result = runServer({ KLARSICHT_LISTEN: '0.0.0.0:0' });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: KLARSICHT_LISTEN=0\.0\.0\.0:0 is refused in development mode/);
  assert.match(lines[0], /set KLARSICHT_MODE=production/);
});

test('--help lists the settings', () => {
  const result = runServer({}, ['--help']);
  assert.equal(result.status, 0);
  for (const variable of ['DATABASE_URL', 'KLARSICHT_MODE', 'KLARSICHT_SECRET', 'KLARSICHT_LISTEN']) {
    assert.ok(result.stdout.includes(variable), `--help names ${variable}`);
  }
});

test('server verify-access-log checks the log and says so in one line', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const directory = mkdtempSync(join(tmpdir(), 'klarsicht-verify-'));
  try {
    const result = runServer({ DATABASE_URL: `sqlite://${directory}/klarsicht.db` }, ['verify-access-log']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'the access log is intact: 0 entries in the Merkle tree, 0 signed checkpoints, 0 cosigned by the witness');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('server log-key prints a new signing key and its verifier key, each on a line, and a bad name is refused', () => {
  const name = 'klarsicht.stadt.example/zugriffsprotokoll';
  const first = runServer({}, ['log-key', '--name', name]);
  assert.equal(first.status, 0, first.stderr);
  const [signer, verifier, ...rest] = first.stdout.trim().split('\n');
  assert.deepEqual(rest, []);
  assert.match(signer, /^PRIVATE\+KEY\+klarsicht\.stadt\.example\/zugriffsprotokoll\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
  assert.match(verifier, /^klarsicht\.stadt\.example\/zugriffsprotokoll\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
  const second = runServer({}, ['log-key', '--name', name]);
  assert.notEqual(second.stdout, first.stdout, 'every key is new');
  const refused = runServer({}, ['log-key', '--name', 'mit leerzeichen']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr.trim(), /^error: no key was made/);
});
