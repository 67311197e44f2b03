// The command line: version, help, argument errors, start-up failures,
// migrations and user creation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, runCli, describeRun, crashed, makeTempDir, removeDir, freePort, stopProblem,
} from '../lib/server.mjs';

function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

test('chamado --version prints "chamado 0.1.0" and exits 0', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(lines(r.stdout)[0], 'chamado 0.1.0', describeRun(r));
});

test('chamado --help exits 0 and lists the serve, migrate and user commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, describeRun(r));
  for (const cmd of ['serve', 'migrate', 'user']) {
    assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`), `--help does not mention "${cmd}" on stdout\n${describeRun(r)}`);
  }
});

test('an unknown option exits 2 with one line on stderr naming it', async () => {
  const r = await runCli(['serve', '--bogus']);
  assert.equal(r.code, 2, describeRun(r));
  const errLines = lines(r.stderr);
  assert.equal(errLines.length, 1, `expected one stderr line\n${describeRun(r)}`);
  assert.match(errLines[0], /--bogus/, describeRun(r));
});

test('a second server on a port in use exits non-zero and says the address is in use', async () => {
  const first = await startServer();
  const dir = await makeTempDir();
  try {
    const addr = `127.0.0.1:${first.port}`;
    const r = await runCli(['serve', '--listen', addr, '--data-dir', dir, '--db', `sqlite:${dir}/chamado.db`],
      { timeoutMs: 60000 });
    assert.ok(!r.timedOut, `the second server kept running\n${describeRun(r)}`);
    assert.notEqual(r.code, 0, describeRun(r));
    assert.ok(r.stderr.includes(addr), `stderr does not mention ${addr}\n${describeRun(r)}`);
    assert.match(r.stderr, /in use/i, describeRun(r));
    assert.ok(!crashed(r.stderr), describeRun(r));
    // The first server is unharmed.
    const res = await first.fetch('/healthz');
    await res.arrayBuffer();
    assert.equal(res.status, 200);
  } finally {
    await first.stop();
    await removeDir(dir);
  }
});

test('a database in a missing directory fails with one clear line and no crash', async () => {
  const dir = await makeTempDir();
  try {
    const port = await freePort();
    const r = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir,
      '--db', 'sqlite:/nonexistent-dir/x.db'], { timeoutMs: 60000 });
    assert.ok(!r.timedOut, `serve kept running with an unusable database\n${describeRun(r)}`);
    assert.notEqual(r.code, 0, describeRun(r));
    assert.equal(r.signal, null, describeRun(r));
    assert.ok(!/AddressSanitizer|Segmentation/.test(r.stderr), describeRun(r));
    assert.ok(!crashed(r.stderr), describeRun(r));
    const errLines = lines(r.stderr);
    assert.equal(errLines.length, 1, `expected one stderr line\n${describeRun(r)}`);
    assert.match(errLines[0], /nonexistent-dir/, `the message does not name the database\n${describeRun(r)}`);
  } finally {
    await removeDir(dir);
  }
});

describe('migrations and users on one database', () => {
  let dir;
  let db;
  before(async () => {
    dir = await makeTempDir();
    db = `sqlite:${path.join(dir, 'x.db')}`;
  });
  after(async () => {
    await removeDir(dir);
  });

  test('chamado migrate creates the database and exits 0', async () => {
    const r = await runCli(['migrate', '--db', db]);
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(fs.existsSync(path.join(dir, 'x.db')), 'no database file after migrate');
    assert.ok(!crashed(r.stderr), describeRun(r));
  });

  test('chamado migrate run twice is a no-op that exits 0', async () => {
    const r = await runCli(['migrate', '--db', db]);
    assert.equal(r.code, 0, describeRun(r));
  });

  const addMaria = (email, password) => runCli(
    ['user', 'add', '--client', '--email', email, '--name', 'Maria Souza', '--password-stdin', '--db', db],
    { input: `${password}\n` },
  );

  test('user add creates a client with the password read from stdin', async () => {
    const r = await addMaria('maria@exemplo.com.br', 'segredo-forte-2024');
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(!crashed(r.stderr), describeRun(r));
  });

  test('user add refuses the same email in another case with exit 1 and a message', async () => {
    const r = await addMaria('MARIA@Exemplo.com.BR', 'outro-segredo-2024');
    assert.equal(r.code, 1, describeRun(r));
    assert.ok(lines(r.stderr + r.stdout).length > 0, `no message\n${describeRun(r)}`);
    assert.ok(!crashed(r.stderr), describeRun(r));
  });

  test('user add refuses a 5-character password with exit 1', async () => {
    const r = await addMaria('joao@exemplo.com.br', '12345');
    assert.equal(r.code, 1, describeRun(r));
    assert.ok(lines(r.stderr + r.stdout).length > 0, `no message\n${describeRun(r)}`);
  });
});

test('user add works while a server runs on the same database', async () => {
  const srv = await startServer();
  try {
    const r = await runCli(
      ['user', 'add', '--client', '--email', 'ana@exemplo.com.br', '--name', 'Ana Lima', '--password-stdin', '--db', srv.dbUrl],
      { input: 'uma-senha-longa-9\n', timeoutMs: 60000 },
    );
    assert.equal(r.code, 0, describeRun(r));
    const res = await srv.fetch('/healthz');
    await res.arrayBuffer();
    assert.equal(res.status, 200);
  } finally {
    const problem = await stopProblem(srv);
    assert.equal(problem, null, problem);
  }
});
