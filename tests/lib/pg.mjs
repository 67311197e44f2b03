// A real PostgreSQL server for the end-to-end suites (Debian's `postgresql`
// package, through tests/lib/pg-server): initdb into a temporary folder,
// loopback only, fsync off, stopped at the end.
//
// tests/run-all starts one server for the whole PostgreSQL pass and passes
// it down as CHAMADO_TEST_PG (its URL) and CHAMADO_TEST_PG_DIR; a test file
// run on its own with CHAMADO_TEST_DB=postgres starts its own on first use
// and stops it when the process exits. Every chamado server of a test gets
// a fresh database on it (freshDatabase).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PG_SERVER = path.join(HERE, 'pg-server');

function run(args, { timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(PG_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`pg-server ${args.join(' ')} exited with code ${code}: ${err.trim()}`));
    });
  });
}

/**
 * Start a PostgreSQL server of our own. Returns
 * {url, dir, port, createDatabase(name) -> url, restart(), stop()}.
 * The url has no database name; createDatabase's has one.
 */
export async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chamado-pg-'));
  const url = await run(['start', dir]);
  return pgHandle(url, dir);
}

function pgHandle(url, dir) {
  const port = Number(new URL(url).port);
  return {
    url,
    dir,
    port,
    async createDatabase(name, template) {
      await run(['createdb', dir, name, ...(template ? [template] : [])]);
      return `${url}/${name}`;
    },
    restart: () => run(['restart', dir]),
    stop: () => run(['stop', dir]),
  };
}

let shared = null;

/** The suite's server: the one run-all started, or one of this process's own. */
export function sharedPostgres() {
  if (!shared) {
    if (process.env.CHAMADO_TEST_PG && process.env.CHAMADO_TEST_PG_DIR) {
      shared = Promise.resolve(pgHandle(process.env.CHAMADO_TEST_PG, process.env.CHAMADO_TEST_PG_DIR));
    } else {
      shared = startPostgres().then((pg) => {
        // Stopped when this process ends, whatever the tests did.
        process.on('exit', () => spawnSync(PG_SERVER, ['stop', pg.dir], { stdio: 'ignore' }));
        return pg;
      });
    }
  }
  return shared;
}

let counter = 0;

/**
 * A new database on the shared server; returns its URL. Empty, or with
 * { migrated: true } a copy of the database tests/run-all migrated once for
 * the run (CHAMADO_TEST_PG_TEMPLATE), when there is one: a server then
 * starts without running the migrations again (some 0.4 s of CPU each).
 */
export async function freshDatabase({ migrated = false } = {}) {
  const pg = await sharedPostgres();
  counter += 1;
  const name = `t${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  return pg.createDatabase(name, migrated ? process.env.CHAMADO_TEST_PG_TEMPLATE : undefined);
}

/** Drop a database made by freshDatabase (its servers must be stopped). */
export async function dropDatabase(dbUrl) {
  const pg = await sharedPostgres();
  const name = new URL(dbUrl).pathname.slice(1);
  const r = spawnSync('psql', [`${pg.url}/postgres`, '-qAtc', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dropping ${name}: ${r.stderr}`);
}

/** Run SQL on a database with psql; returns its unaligned output. Throws on failure. */
export function psql(dbUrl, sql) {
  const r = spawnSync('psql', [dbUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}
