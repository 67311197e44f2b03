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
    }, { timeoutMs: 3000, message: 'demo credentials' }).catch(() => srv.output);
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

test('serve --demo --sample-tickets gives the demo client tickets in several states, a staff reply, an attachment and a note only staff see; a second start adds none', async () => {
  const { signIn } = await import('../lib/client.mjs');
  const { CLIENT, STAFF, listedNumbers } = await import('../lib/fixtures.mjs');
  const sampleDir = await makeTempDir();
  const start = () => startServer({ demo: true, dataDir: sampleDir, args: ['--sample-tickets'], timeoutMs: 60000 });
  try {
    let srv = await start();
    let numbers;
    try {
      const maria = await signIn(srv, CLIENT.email, CLIENT.password);
      const list = await maria.get('/tickets?status=all');
      numbers = listedNumbers(list.body);
      assert.equal(numbers.length, 4, `sample tickets listed: ${numbers}`);
      for (const word of ['Aberto', 'Respondido', 'Fechado', 'Em espera']) assert.ok(list.body.includes(word), `no ${word} ticket`);
      const first = await maria.get(`/tickets/${numbers.find((n) => n)}`);
      assert.equal(first.status, 200);
      let withLog = null;
      for (const n of numbers) {
        const page = await maria.get(`/tickets/${n}`);
        assert.ok(!page.body.includes('memory_limit estava em 64M'), 'the internal note reached the client');
        if (page.body.includes('php_error.log')) withLog = n;
      }
      assert.ok(withLog, 'no sample ticket with an attachment');
      const admin = await signIn(srv, STAFF.email, STAFF.password, { staff: true });
      const staffPage = await admin.get(`/staff/tickets/${withLog}`);
      assert.ok(staffPage.body.includes('memory_limit estava em 64M'), 'the staff do not see the note');
      assert.ok(staffPage.body.includes('Olá, Maria!'), 'no staff reply');
    } finally {
      const problem = await stopProblem(srv);
      assert.equal(problem, null, problem);
    }
    srv = await start();
    try {
      const maria = await signIn(srv, CLIENT.email, CLIENT.password);
      const again = listedNumbers((await maria.get('/tickets?status=all')).body);
      assert.deepEqual(again.sort(), numbers.sort(), 'a second start added or removed sample tickets');
    } finally {
      const problem = await stopProblem(srv);
      assert.equal(problem, null, problem);
    }
  } finally {
    await removeDir(sampleDir);
  }
});
