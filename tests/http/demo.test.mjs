// serve --demo: prints the demo credentials, and can be started again on the
// same data dir without duplicating anything.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeTempDir, removeDir, stopProblem, waitFor } from '../lib/server.mjs';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PASSWORD = /(senha|password)\b/i;
const ERROR = /\b(error|erro|fatal)\b|UNIQUE constraint|constraint failed/i;

let dir;
after(async () => {
  if (dir) await removeDir(dir);
});

async function demoRun() {
  const srv = await startServer({ demo: true, dataDir: dir });
  let output = '';
  try {
    // The credentials may be printed right after the listener is up.
    output = await waitFor(() => {
      const o = srv.output;
      return new RegExp(EMAIL.source).test(o) && PASSWORD.test(o) ? o : null;
    }, { timeoutMs: 30000, message: 'demo credentials' }).catch(() => srv.output);
    const res = await srv.fetch('/');
    await res.arrayBuffer();
    assert.equal(res.status, 200, 'GET / with demo data');
  } finally {
    const problem = await stopProblem(srv);
    assert.equal(problem, null, problem);
  }
  return output;
}

test('serve --demo prints an email and a password, and a second start on the same data does the same without errors', async () => {
  dir = await makeTempDir();
  const first = await demoRun();
  const emails1 = first.match(EMAIL);
  assert.ok(emails1 && PASSWORD.test(first), `no demo credentials (an email and a password) printed:\n${first.slice(-2000)}`);
  assert.ok(!ERROR.test(first), `an error in the first demo run:\n${first.slice(-2000)}`);

  const second = await demoRun();
  const emails2 = second.match(EMAIL);
  assert.ok(emails2 && PASSWORD.test(second), `no demo credentials on the second start:\n${second.slice(-2000)}`);
  assert.ok(!ERROR.test(second), `an error in the second demo run (duplicate demo data?):\n${second.slice(-2000)}`);
  assert.deepEqual([...new Set(emails2)].sort(), [...new Set(emails1)].sort(), 'the demo logins changed between starts');
});
