// CCs in the API in Zendesk's shape and across a merge (issue 16), through
// the real binary on SQLite and PostgreSQL: POST and PUT take email_ccs
// (put / delete) through the same CC door as the panel; the ticket's JSON
// answers email_cc_ids (users known here) and email_ccs (every address);
// a merge leaves the surviving ticket with the CCs of both, once each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';
import { uniqueWord, staffMerge } from '../lib/staff.mjs';
import { makeToken, api, describeApi } from '../lib/api.mjs';

let s;
let auth;
let admin;

before(async () => {
  s = await startServer({ demo: true });
  auth = { token: await makeToken(s, STAFF.email), email: STAFF.email };
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
});

after(async () => {
  if (s) await s.stop();
});

async function create(ccs) {
  const r = await api(s, auth, 'POST', '/api/v2/tickets.json', {
    ticket: { subject: `Com cópia ${uniqueWord('CC')}`, comment: { body: 'O site caiu.' },
      requester: { email: CLIENT.email, name: CLIENT.name }, email_ccs: ccs },
  });
  assert.equal(r.status, 201, describeApi(r));
  return r.json.ticket;
}

const emails = (t) => t.email_ccs.map((c) => c.user_email).sort();

test('POST with email_ccs copies the addresses; the JSON lists them, with user ids for known users', async () => {
  const t = await create([
    { user_email: 'ana@agencia.example', user_name: 'Ana', action: 'put' },
    { user_email: STAFF.email },
  ]);
  assert.deepEqual(emails(t), ['ana@agencia.example', STAFF.email].sort());
  const ana = t.email_ccs.find((c) => c.user_email === 'ana@agencia.example');
  assert.equal(ana.user_name, 'Ana');
  assert.equal(ana.user_id, null, 'an address that is nobody here has no user id');
  assert.equal(t.email_cc_ids.length, 1, 'only the staff member is a user');
  const me = await api(s, auth, 'GET', '/api/v2/users/me.json');
  if (me.status === 200) assert.deepEqual(t.email_cc_ids, [me.json.user.id]);
  const page = await admin.get(`/staff/tickets/${t.number}`);
  assert.match(page.body, /ana@agencia\.example/, 'the staff page does not show the CC added through the API');
});

test('PUT with email_ccs adds and removes, and GET answers the same list', async () => {
  const t = await create([{ user_email: 'bia@financeiro.example', action: 'put' }]);
  const r = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, {
    ticket: { email_ccs: [
      { user_email: 'caio@cliente.example', user_name: 'Caio', action: 'put' },
      { user_email: 'BIA@financeiro.example', action: 'delete' },
    ] },
  });
  assert.equal(r.status, 200, describeApi(r));
  assert.deepEqual(emails(r.json.ticket), ['caio@cliente.example']);
  const again = await api(s, auth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.deepEqual(emails(again.json.ticket), ['caio@cliente.example']);
});

test('a bad email_ccs entry answers 422 and changes nothing', async () => {
  const t = await create([]);
  for (const ccs of [[{ user_email: 'isto-nao-e-email' }], [{ user_email: 'x@y.example', action: 'move' }], 'ana@x.example']) {
    const r = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { priority: 'high', email_ccs: ccs } });
    assert.equal(r.status, 422, `${JSON.stringify(ccs)}: ${describeApi(r)}`);
  }
  const again = await api(s, auth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.deepEqual(again.json.ticket.email_ccs, []);
  assert.notEqual(again.json.ticket.priority, 'high', 'the rest of the change was written');
});

test('a merge leaves the surviving ticket with the CCs of both, once each', async () => {
  const from = await create([{ user_email: 'ana@agencia.example' }, { user_email: 'dani@cliente.example' }]);
  const into = await create([{ user_email: 'DANI@cliente.example' }]);
  const r = await staffMerge(admin, from.number, into.number);
  assert.equal(r.status, 303);
  const after = await api(s, auth, 'GET', `/api/v2/tickets/${into.id}.json`);
  assert.deepEqual(emails(after.json.ticket).map((e) => e.toLowerCase()).sort(), ['ana@agencia.example', 'dani@cliente.example']);
  const page = await admin.get(`/staff/tickets/${into.number}`);
  assert.match(page.body, /ana@agencia\.example/);
});
