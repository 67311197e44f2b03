// chamado backup, export and import: a SQLite install copied while it
// serves, and moved to PostgreSQL with its accounts, tickets and
// attachments, ready to take new tickets.
//
// Runs in the SQLite pass of tests/run-all (the source is SQLite); the
// PostgreSQL it imports into is the suite's shared one, or its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopProblem, runCli, describeRun, CHAMADO_BIN, DB_BACKEND, makeTempDir, removeDir } from '../lib/server.mjs';
import { freshDatabase, dropDatabase, psql } from '../lib/pg.mjs';
import { signIn } from '../lib/client.mjs';
import { CLIENT, PNG, openTicket, file, listedNumbers } from '../lib/fixtures.mjs';

const skip = DB_BACKEND !== 'sqlite' && 'the SQLite pass covers it (the source is a SQLite file)';

let s;
let work;
let opened;

before(async () => {
  if (skip) return;
  work = await makeTempDir('chamado-transfer-');
  s = await startServer({ demo: true });
  const maria = await signIn(s, CLIENT.email, CLIENT.password);
  opened = [];
  for (let i = 0; i < 3; i++) {
    const t = await openTicket(maria, { subject: `Mudança ${i}`, files: i === 0 ? [file('tela.png', PNG, { type: 'image/png' })] : [] });
    assert.equal(t.status, 303);
    opened.push(t.number);
  }
});

after(async () => {
  if (skip) return;
  if (s) await s.stop();
  await removeDir(work);
});

const sqlite = (file, sql) => spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });

test('chamado backup copies the SQLite database while the server keeps writing', { skip }, async () => {
  const out = path.join(work, 'copy.db');
  const maria = await signIn(s, CLIENT.email, CLIENT.password);
  let writing = true;
  const writer = (async () => {
    while (writing) await openTicket(maria, { subject: 'Durante o backup' });
  })();
  const r = await runCli(['backup', '--db', s.dbUrl, '--out', out]);
  writing = false;
  await writer;
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout.trim(), out);
  assert.equal(sqlite(out, 'PRAGMA integrity_check').stdout.trim(), 'ok');
  const numbers = sqlite(out, 'SELECT number FROM tickets').stdout.trim().split('\n');
  for (const n of opened) assert.ok(numbers.includes(String(Number(n))), `#${n} is not in the backup`);
  const again = await runCli(['backup', '--db', s.dbUrl, '--out', out]);
  assert.equal(again.code, 1, 'a backup over an existing file must be refused');
  assert.match(again.stderr, /already exists/);
});

test('chamado backup without --out writes DATA_DIR/backups/chamado-<time>.db', { skip }, async () => {
  const r = await runCli(['backup', '--data-dir', s.dataDir]);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout.trim(), /\/backups\/chamado-\d{8}-\d{6}\.db$/);
  assert.ok(fs.existsSync(r.stdout.trim()));
});

test('chamado backup of a PostgreSQL database points to pg_dump (exit 2)', { skip }, async () => {
  const r = await runCli(['backup', '--db', 'postgres://u@127.0.0.1:1/x']);
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, /pg_dump/);
});

/** export | import, as the docs say, through a real pipe. */
function exportImport(fromUrl, toUrl) {
  return new Promise((resolve) => {
    const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1' };
    const exp = spawn(CHAMADO_BIN, ['export', '--db', fromUrl], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const imp = spawn(CHAMADO_BIN, ['import', '--db', toUrl], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    exp.stdout.pipe(imp.stdin);
    let out = '';
    let err = '';
    imp.stdout.on('data', (d) => { out += d; });
    imp.stderr.on('data', (d) => { err += d; });
    exp.stderr.on('data', (d) => { err += d; });
    let codes = {};
    exp.on('close', (c) => { codes.exp = c; if ('imp' in codes) resolve({ ...codes, out, err }); });
    imp.on('close', (c) => { codes.imp = c; if ('exp' in codes) resolve({ ...codes, out, err }); });
  });
}

test('export | import moves the install to PostgreSQL: sign in, see the tickets and files, open a new one', { skip, timeout: 300000 }, async () => {
  const target = await freshDatabase();
  try {
    const r = await exportImport(s.dbUrl, target);
    assert.equal(r.exp, 0, r.err);
    assert.equal(r.imp, 0, r.err);
    assert.match(r.out, /^imported \d+ rows/);
    const count = (sql) => Number(psql(target, sql));
    const file = s.dbUrl.slice('sqlite:'.length);
    for (const t of ['clients', 'staff', 'tickets', 'messages', 'attachments', 'outbox', 'kb_articles']) {
      assert.equal(count(`SELECT count(*) FROM ${t}`), Number(sqlite(file, `SELECT count(*) FROM ${t}`).stdout),
        `rows of ${t}`);
    }
    assert.equal(psql(target, 'SELECT encode(sha256(data), \'hex\') = sha256 FROM attachments LIMIT 1'), 't',
      'the attachment bytes changed on the way');

    const pgServer = await startServer({ dbUrl: target });
    try {
      const maria = await signIn(pgServer, CLIENT.email, CLIENT.password);
      // The list shows the newest first, and the backup test above opens
      // tickets for as long as its backup runs: so each is opened by its page.
      const list = listedNumbers((await maria.get('/tickets')).body);
      assert.ok(list.length > 0, 'Meus Tickets lists tickets after the move');
      for (const [i, n] of opened.entries()) {
        const page = await maria.get(`/tickets/${n}`);
        assert.equal(page.status, 200, `#${n} after the move`);
        assert.ok(page.body.includes(`Mudança ${i}`), `#${n} shows its subject after the move`);
      }
      const t = await openTicket(maria, { subject: 'Primeiro no PostgreSQL' });
      assert.equal(t.status, 303, 'a new ticket after the import (the id sequences were reset)');
      const again = await runCli(['import', '--db', target], { input: '' });
      assert.equal(again.code, 1, 'importing into a database with data must be refused');
      assert.match(again.stderr, /not empty/);
      assert.equal(await stopProblem(pgServer), null);
    } finally {
      await pgServer.stop();
    }
  } finally {
    await dropDatabase(target).catch(() => {});
  }
});

test('the server exits with code 0 on SIGTERM without a sanitizer report', { skip }, async () => {
  assert.equal(await stopProblem(s), null);
  s = null;
});
