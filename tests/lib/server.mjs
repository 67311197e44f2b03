// Shared helpers for the end-to-end suites: start the real chamado binary on a
// free loopback port with a fresh data dir, run the CLI, and talk raw HTTP.
//
// The binary comes from $CHAMADO_BIN (tests/run-all sets it); without it the
// sanitizer build build/san/chamado is used.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, dropDatabase, psql } from './pg.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Every test file that uses these helpers (all of tests/http and, through
// browser.mjs, tests/browser) ends itself with a clear message when it runs
// longer than CHAMADO_TEST_FILE_TIMEOUT seconds (30 minutes unless set), so
// a hang, e.g. a server left running, fails the file instead of blocking the
// run. The timer is unref'd: it never keeps a finished file alive.
const FILE_TIMEOUT_S = Number(process.env.CHAMADO_TEST_FILE_TIMEOUT || 1800);
setTimeout(() => {
  const file = path.relative(ROOT, process.argv[1] || 'a test file');
  process.stderr.write(`${file} did not finish within ${FILE_TIMEOUT_S} s: ` +
    'a test or something it started hangs; stopping the file\n');
  process.exit(1);
}, FILE_TIMEOUT_S * 1000).unref();

export const CHAMADO_BIN = path.resolve(ROOT, process.env.CHAMADO_BIN || 'build/san/chamado');

// Sanitizer settings: a leak or UB report must turn into a non-zero exit.
// Passwords are hashed with argon2id's smallest limits (domain/password.h):
// the suites create accounts and sign in thousands of times.
const SANITIZER_ENV = {
  ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1',
  UBSAN_OPTIONS: 'halt_on_error=1:abort_on_error=1:print_stacktrace=1',
  CHAMADO_TEST_WEAK_PASSWORD_HASHING: '1',
};

function childEnv(extra = {}) {
  const env = { ...process.env, ...SANITIZER_ENV, ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

// With CHAMADO_TEST_DB=postgres (tests/run-all's second pass) every server
// started here gets a fresh database on a shared PostgreSQL server instead
// of DATA_DIR/chamado.db. Its URL is kept in DATA_DIR/.test-db-url, so a
// server restarted on the same data dir finds its data again, and a CLI
// run with --data-dir DIR (and no --db) uses the same database.
export const DB_BACKEND = process.env.CHAMADO_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
const DB_URL_FILE = '.test-db-url';

async function databaseFor(dataDir) {
  if (DB_BACKEND !== 'postgres') return `sqlite:${path.join(dataDir, 'chamado.db')}`;
  const file = path.join(dataDir, DB_URL_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const url = await freshDatabase({ migrated: true });
    fs.writeFileSync(file, url);
    return url;
  }
}

function pgUrlOfDataDir(dataDir) {
  try {
    return fs.readFileSync(path.join(dataDir, DB_URL_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Run one SQL statement on the database of a server (or of a data dir, or of
 * DATA_DIR/chamado.db): sqlite3 or psql, whichever backend it is on.
 * Returns the output (rows as a|b lines).
 */
export function runSql(target, sql) {
  const dir = typeof target === 'string'
    ? (target.endsWith('.db') ? path.dirname(target) : target) : target.dataDir;
  const pgUrl = pgUrlOfDataDir(dir);
  if (pgUrl) return psql(pgUrl, sql);
  const file = typeof target === 'string' && target.endsWith('.db') ? target : path.join(dir, 'chamado.db');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', file, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

/** An Error whose report is its message alone (no stack of test-runner frames). */
export function plainError(message) {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  return e;
}

function assertBinary() {
  try {
    fs.accessSync(CHAMADO_BIN, fs.constants.X_OK);
  } catch {
    throw plainError(`chamado binary not found or not executable: ${CHAMADO_BIN} (set CHAMADO_BIN)`);
  }
}

/**
 * A loopback port that was free a moment ago, for the helpers that need one
 * before they start (the SMTP sink, Dovecot, a webhook receiver). Test files
 * run side by side, so it is picked at random below the kernel's ephemeral
 * range: the servers bind port 0 (startServer) and the kernel never hands one
 * of these out for that, and two files picking the same one at the same
 * moment is a chance of one in many thousands.
 */
export async function freePort() {
  for (let attempt = 0; ; attempt++) {
    const port = 10000 + Math.floor(Math.random() * 22000);
    if (await portFree(port)) return port;
    if (attempt > 200) throw plainError('freePort: no free loopback port found in 10000-31999');
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function makeTempDir(prefix = 'chamado-test-') {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  return fsp.rm(dir, { recursive: true, force: true });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `limit` characters of a stream. */
function collector(stream, limit = 4 * 1024 * 1024) {
  const c = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    c.text += d;
    if (c.text.length > limit) c.text = c.text.slice(-limit);
  });
  return c;
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

/** True when the output shows a sanitizer report or a crash. */
export function crashed(text) {
  return /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|SEGV/.test(text);
}

/**
 * Start `chamado serve` and wait until GET /healthz answers 200.
 *
 * options:
 *   demo     pass --demo
 *   args     extra arguments after the standard ones
 *   env      extra environment (a value of undefined removes a variable)
 *   dataDir  use this data dir (the caller owns it: it is not removed on stop)
 *   dbUrl    use this database (the caller owns it) instead of the default
 *   port     use this port instead of a free one
 *   timeoutMs  how long to wait for /healthz (60 s: a busy machine starts slowly)
 */
export async function startServer(options = {}) {
  assertBinary();
  const { demo = false, args = [], env = {}, timeoutMs = 60000 } = options;
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir || (await makeTempDir());
  // Port 0 unless told: the kernel picks a port no other test file holds,
  // and the server prints it ("listening on http://127.0.0.1:PORT").
  let port = options.port || 0;
  const dbUrl = options.dbUrl || (await databaseFor(dataDir));
  if (options.dbUrl && !dbUrl.startsWith('sqlite:')) fs.writeFileSync(path.join(dataDir, DB_URL_FILE), dbUrl);
  const argv = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--db', dbUrl];
  if (demo) argv.push('--demo');
  argv.push(...args);

  const proc = spawn(CHAMADO_BIN, argv, { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collector(proc.stdout);
  const err = collector(proc.stderr);
  let exit = null;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  proc.on('error', () => {});

  let baseUrl = `http://127.0.0.1:${port}`;
  const server = {
    get port() { return port; },
    get baseUrl() { return baseUrl; },
    url: (p = '/') => baseUrl + p,
    dataDir,
    dbUrl,
    proc,
    argv,
    get stdout() { return out.text; },
    get stderr() { return err.text; },
    get output() { return out.text + err.text; },
    get exited() { return exit; },
    fetch: (p, init = {}) => fetch(baseUrl + p, { redirect: 'manual', ...init }),
    /**
     * SIGTERM, wait up to timeoutMs for the exit (then SIGKILL), remove the data
     * dir if we made it. Returns {code, signal, stdout, stderr, killed}.
     */
    async stop({ timeoutMs: stopTimeout = 30000, keepDataDir = false } = {}) {
      let killed = false;
      if (!exit) {
        proc.kill('SIGTERM');
        let timer;
        const t = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r(null), stopTimeout); })]);
        clearTimeout(timer);
        if (!t) {
          killed = true;
          proc.kill('SIGKILL');
          await exited;
        }
      }
      // Let the pipes drain.
      await sleep(50);
      if (ownDir && !keepDataDir) {
        await removeDir(dataDir);
        if (DB_BACKEND === 'postgres' && !options.dbUrl && !dbUrl.startsWith('sqlite:')) await dropDatabase(dbUrl).catch(() => {});
      }
      return { code: killed ? null : exit.code, signal: killed ? 'SIGKILL (did not exit in time)' : exit.signal,
        killed, stdout: out.text, stderr: err.text };
    },
  };

  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (port === 0 && !exit) {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err.text);
      if (m) {
        port = Number(m[1]);
        baseUrl = `http://127.0.0.1:${port}`;
      } else {
        lastError = 'no "listening on" line on stderr yet';
      }
    }
    if (exit) {
      if (ownDir) await removeDir(dataDir);
      if (ownDir && DB_BACKEND === 'postgres' && !options.dbUrl && !dbUrl.startsWith('sqlite:')) await dropDatabase(dbUrl).catch(() => {});
      throw plainError(`chamado serve exited early (code ${exit.code}, signal ${exit.signal})\n` +
        `argv: ${argv.join(' ')}\nstderr:\n${tail(err.text)}\nstdout:\n${tail(out.text)}`);
    }
    if (port !== 0) {
      try {
        const res = await fetch(baseUrl + '/healthz', { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return server;
        lastError = `GET /healthz answered ${res.status}`;
      } catch (e) {
        lastError = e.cause?.code || e.message;
      }
    }
    if (Date.now() > deadline) {
      await server.stop({ timeoutMs: 2000 });
      throw plainError(`chamado serve did not answer GET /healthz with 200 within ${timeoutMs} ms ` +
        `(last: ${lastError})\nargv: ${argv.join(' ')}\nstderr:\n${tail(err.text)}\nstdout:\n${tail(out.text)}`);
    }
    await sleep(100);
  }
}

/**
 * Run the CLI to completion. Returns {code, signal, stdout, stderr, timedOut}.
 * options: input (written to stdin, then closed), env, timeoutMs (60 s), cwd.
 */
export function runCli(args, options = {}) {
  assertBinary();
  const { input, timeoutMs = 60000, cwd = ROOT } = options;
  let { env = {} } = options;
  // On PostgreSQL, `--data-dir DIR` of a server's data dir means its database.
  const dirAt = args.indexOf('--data-dir');
  if (DB_BACKEND === 'postgres' && dirAt >= 0 && !args.includes('--db') && !('CHAMADO_DB' in env)) {
    const pgUrl = pgUrlOfDataDir(args[dirAt + 1] || '');
    if (pgUrl) env = { ...env, CHAMADO_DB: pgUrl };
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(CHAMADO_BIN, args, { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out = collector(proc.stdout);
    const err = collector(proc.stderr);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.text, stderr: err.text, timedOut });
    });
    proc.stdin.on('error', () => {});
    if (input !== undefined) proc.stdin.end(input);
    else proc.stdin.end();
  });
}

/** Describe a CLI result for assertion messages. */
export function describeRun(r) {
  return `exit code ${r.code}, signal ${r.signal}${r.timedOut ? ' (timed out)' : ''}\n` +
    `stdout:\n${tail(r.stdout, 20)}\nstderr:\n${tail(r.stderr, 20)}`;
}

/**
 * Send raw bytes to 127.0.0.1:port and collect what comes back until the peer
 * closes or `timeoutMs` passes. `data` may be a string, a Buffer, or an array of
 * them (written one after the other, `gapMs` apart). Write errors are ignored
 * (a server may close while we still send). With `stopOnResponse` the socket is
 * closed as soon as a complete status line arrived.
 *
 * Returns {raw (Buffer), text, status, headers, body, closed, timedOut, error}.
 */
export function rawRequest(port, data, { timeoutMs = 5000, gapMs = 0, stopOnResponse = false, halfClose = false } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    let closed = false;
    let timedOut = false;
    let error = null;
    let done = false;
    const sock = net.connect(port, '127.0.0.1');
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks);
      resolve({ raw, closed, timedOut, error, ...parseResponse(raw) });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      if (stopOnResponse && /^HTTP\/1\.[01] \d{3}/.test(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    sock.on('end', () => {
      closed = true;
      finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('error', (e) => {
      error = e.code || e.message;
    });
    sock.on('connect', async () => {
      const parts = Array.isArray(data) ? data : [data];
      for (const p of parts) {
        if (done || sock.destroyed) break;
        await new Promise((r) => sock.write(p, () => r()));
        if (gapMs) await sleep(gapMs);
      }
      if (halfClose && !sock.destroyed) sock.end();
    });
  });
}

/** Parse the first HTTP response out of raw bytes. */
export function parseResponse(raw) {
  const text = raw.toString('latin1');
  const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r?\n/.exec(text);
  if (!m) return { text, status: null, headers: {}, body: '' };
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const headers = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { text, status: Number(m[1]), headers, body: end >= 0 ? text.slice(end + 4) : '' };
}

/** Wait until `fn()` is truthy (polling), or throw after timeoutMs. */
// Waits for something that happens in the background (an email written, a
// job run): the deadline only bounds a failure, so it is generous; a busy
// machine must never turn a correct run red.
export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await sleep(intervalMs);
  }
}

export { sleep };

/**
 * Stop the server and return a failure message when it did not exit with code 0
 * on SIGTERM within 30 s, or when its output shows a sanitizer report; null when clean.
 */
export async function stopProblem(server) {
  const r = await server.stop();
  if (r.killed) return `did not exit within 30 s of SIGTERM\nstderr:\n${tail(r.stderr)}`;
  if (r.code !== 0 || r.signal) return `exited with code ${r.code}, signal ${r.signal} after SIGTERM\nstderr:\n${tail(r.stderr)}`;
  if (crashed(r.stderr + r.stdout)) return `sanitizer report in the output\nstderr:\n${tail(r.stderr, 60)}`;
  return null;
}
