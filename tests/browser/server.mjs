// Starts the release build of the server on a free port with a fresh database, waits until it
// is ready, and stops it (and removes the database) afterwards. SQLite by default; PostgreSQL on
// request, on the server that KLARSICHT_TEST_POSTGRES_URL names (the README's test command sets
// it), where a test can also change the database behind the server's back with `sql`.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const serverBinary = process.env.KLARSICHT_SERVER_BINARY ?? new URL('../../target/release/server', import.meta.url).pathname;
const siteRoot = process.env.KLARSICHT_SITE_ROOT ?? new URL('../../target/site', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/// A database of its own on the test PostgreSQL server: its URL, a way to run SQL on it, and
/// its removal.
function postgresDatabase() {
  const admin = process.env.KLARSICHT_TEST_POSTGRES_URL;
  if (!admin) {
    throw new Error('this test runs on PostgreSQL: set KLARSICHT_TEST_POSTGRES_URL (the README\'s test command does)');
  }
  const name = `klarsicht_test_${randomUUID().replaceAll('-', '')}`;
  const psql = (url, statement) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qtAc', statement], { encoding: 'utf8' });
  psql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sql: (statement) => psql(url.toString(), statement),
    remove: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/// Starts `server witness` on a free port, with a new key and state, for the portal whose
/// environment is `env`; answers the settings that point the portal at it, and the process.
async function startWitness(directory, env, output) {
  const [signingKey, verifierKey] = execFileSync(serverBinary, ['witness-key', '--name', 'localhost/zeuge-test'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const logKey = execFileSync(serverBinary, ['log-key'], { env, encoding: 'utf8' }).trim();
  const port = await freePort();
  const child = spawn(serverBinary, ['witness', '--listen', `127.0.0.1:${port}`, '--state', join(directory, 'zeuge.json'), '--init'], {
    env: { ...process.env, KLARSICHT_WITNESS_SIGNING_KEY: signingKey, KLARSICHT_WITNESS_LOG_KEY: logKey, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(`witness: ${chunk}`));
  child.stderr.on('data', (chunk) => output.push(`witness: ${chunk}`));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the witness exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the witness did not listen within 10 s:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { child, settings: { KLARSICHT_WITNESS_URL: `http://127.0.0.1:${port}`, KLARSICHT_WITNESS_KEY: verifierKey } };
}

/// `witness`: a witness of the access log runs beside the portal (`server witness`), as
/// `.ci/serve` starts one.
export async function startServer({ demoData = false, env = {}, port, postgres = false, witness = false } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'klarsicht-browser-'));
  const database = postgres ? postgresDatabase() : null;
  port ??= await freePort();
  const output = [];
  const witnessProcess = witness
    ? await startWitness(directory, { ...process.env, KLARSICHT_MODE: 'development', ...env }, output)
    : null;
  env = { ...env, ...witnessProcess?.settings };
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(serverBinary, ['serve'], {
      env: {
        ...process.env,
        KLARSICHT_MODE: 'development',
        KLARSICHT_LISTEN: `127.0.0.1:${port}`,
        DATABASE_URL: database?.url ?? `sqlite://${directory}/klarsicht.db`,
        KLARSICHT_SITE_ROOT: siteRoot,
        KLARSICHT_DEMO_DATA: String(demoData),
        RUST_LOG: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk) => output.push(chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`the server exited with ${child.exitCode}:\n${output.join('')}`);
      }
      try {
        const response = await fetch(`${url}/health/ready`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not become ready within 20 s:\n${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return child;
  };
  const halt = async (child, signal = 'SIGTERM') => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  const environment = () => ({
    ...process.env,
    KLARSICHT_MODE: 'development',
    DATABASE_URL: database?.url ?? `sqlite://${directory}/klarsicht.db`,
    RUST_LOG: 'warn',
    ...env,
  });
  let child = await launch();
  return {
    url,
    output,
    /// Runs one SQL statement on the server's database (PostgreSQL only) and returns its output.
    sql(statement) {
      if (!database) throw new Error('sql() needs startServer({ postgres: true })');
      return database.sql(statement);
    },
    /// Stops the server as a stop signal would and starts it again on the same database and port.
    async restart() {
      await halt(child);
      child = await launch();
    },
    /// Kills the server outright (SIGKILL: no request finishes, nothing is flushed) and starts
    /// it again on the same database and port.
    async crash() {
      await halt(child, 'SIGKILL');
      child = await launch();
    },
    /// Runs another command of the server binary (`verify-access-log`, …) on the same
    /// database; answers its exit code and output.
    command(...args) {
      const result = spawnSync(serverBinary, args, { env: environment(), encoding: 'utf8' });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    },
    /// Stops the server, copies its SQLite database aside and starts it again; answers the copy
    /// for `restore`. (A backup as an operator would take one.)
    async snapshot() {
      if (database) throw new Error('snapshot() is for SQLite');
      await halt(child);
      const copy = mkdtempSync(join(directory, 'backup-'));
      for (const file of ['klarsicht.db', 'klarsicht.db-wal', 'klarsicht.db-shm']) {
        if (existsSync(join(directory, file))) copyFileSync(join(directory, file), join(copy, file));
      }
      child = await launch();
      return copy;
    },
    /// Stops the server, puts the database of `snapshot()` back in place and starts it again:
    /// the log set back to that state.
    async restore(copy) {
      await halt(child);
      for (const file of ['klarsicht.db', 'klarsicht.db-wal', 'klarsicht.db-shm']) {
        rmSync(join(directory, file), { force: true });
        if (existsSync(join(copy, file))) copyFileSync(join(copy, file), join(directory, file));
      }
      child = await launch();
    },
    async stop() {
      await halt(child);
      if (witnessProcess) await halt(witnessProcess.child);
      rmSync(directory, { recursive: true, force: true });
      database?.remove();
    },
  };
}
