// An existing Zendesk client library from npm (node-zendesk), unchanged,
// against our /api/v2: pointed at the server with its endpointUri option and
// a token, it creates, reads, updates, comments on, searches and lists
// tickets and users. What it sends and expects is its own business: if our
// shapes drift from Zendesk's, these calls fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zendesk from 'node-zendesk';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';
import { uniqueWord } from '../lib/staff.mjs';
import { makeToken } from '../lib/api.mjs';

let s;
let zd; // Basic EMAIL/token:TOKEN
let zdBearer; // OAuth-style Bearer token

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  const token = await makeToken(s, STAFF.email, 'node-zendesk');
  const endpointUri = `${s.baseUrl}/api/v2`;
  zd = zendesk.createClient({ username: STAFF.email, token, endpointUri });
  zdBearer = zendesk.createClient({ token, oauth: true, endpointUri });
});

after(async () => {
  if (s) await s.stop();
});

test('node-zendesk authenticates with EMAIL/token and with a Bearer token', async () => {
  const { result: me } = await zd.users.me();
  assert.equal(me.email, STAFF.email);
  assert.equal(me.role, 'admin');
  const { result: again } = await zdBearer.users.me();
  assert.equal(again.id, me.id);
});

test('node-zendesk creates, shows, updates and comments on a ticket; the client sees it', async () => {
  const word = uniqueWord('ZD');
  const { response, result: created } = await zd.tickets.create({
    ticket: { subject: `Domínio não resolve ${word}`, comment: { body: `O DNS parou ${word}` }, priority: 'urgent',
      requester: { email: CLIENT.email, name: CLIENT.name } },
  });
  assert.equal(response.status, 201);
  assert.equal(created.status, 'new');
  assert.equal(created.priority, 'high'); // urgent has no twin: it reads back as high
  const { result: shown } = await zd.tickets.show(created.id);
  assert.equal(shown.subject, `Domínio não resolve ${word}`);
  const { result: updated } = await zd.tickets.update(created.id, {
    ticket: { status: 'pending', comment: { body: `Corrigimos a zona ${word}`, public: true } },
  });
  assert.equal(updated.status, 'pending');
  await zd.tickets.update(created.id, { ticket: { comment: { body: `nota interna ${word}`, public: false } } });
  const comments = await zd.tickets.getComments(created.id);
  assert.deepEqual(comments.map((c) => c.public), [true, true, false]);
  assert.ok(comments[1].body.includes('Corrigimos'));
  const maria = await signIn(s, CLIENT.email, CLIENT.password);
  const page = await maria.get(`/tickets/${created.number}`);
  assert.ok(page.body.includes(`Corrigimos a zona ${word}`));
  assert.ok(!page.body.includes(`nota interna ${word}`));
});

test('node-zendesk lists every ticket across cursor pages and searches', async () => {
  const word = uniqueWord('LISTA');
  const made = [];
  for (let i = 0; i < 3; i++) {
    const { result } = await zd.tickets.create({
      ticket: { subject: `${word} ${i}`, comment: { body: 'x' }, requester: { email: CLIENT.email } },
    });
    made.push(result.id);
  }
  const all = await zd.tickets.list();
  const ids = all.map((t) => t.id);
  for (const id of made) assert.ok(ids.includes(id), `ticket ${id} listed`);
  assert.equal(new Set(ids).size, ids.length, 'no ticket listed twice');
  const { result: found } = await zd.search.query(`type:ticket ${word}`);
  assert.deepEqual(found.map((t) => t.id).sort((a, b) => a - b), made);
  const { result: byStatus } = await zd.search.query(`type:ticket status:new ${word} 1`);
  assert.deepEqual(byStatus.map((t) => t.subject), [`${word} 1`]);
});

test('node-zendesk creates, finds, updates and lists users', async () => {
  const email = `${uniqueWord('zd').toLowerCase()}@billing.example`;
  const { response, result: user } = await zd.users.create({ user: { name: 'Cliente da Cobrança', email } });
  assert.equal(response.status, 201);
  assert.equal(user.role, 'end-user');
  const { result: shown } = await zd.users.show(user.id);
  assert.equal(shown.email, email);
  const found = await zd.users.search({ query: email });
  assert.deepEqual(found.map((u) => u.id), [user.id]);
  const { result: updated } = await zd.users.update(user.id, { user: { name: 'Nome Atualizado' } });
  assert.equal(updated.name, 'Nome Atualizado');
  const everyone = await zd.users.list();
  assert.ok(everyone.some((u) => u.id === user.id));
  assert.ok(everyone.some((u) => u.email === STAFF.email && u.role === 'admin'));
  assert.equal(new Set(everyone.map((u) => u.id)).size, everyone.length);
});

test('node-zendesk sees a 404 for a missing ticket and a 401 for a bad token', async () => {
  await assert.rejects(zd.tickets.show(99999999), (e) => /404|not found/i.test(String(e.message)));
  const bad = zendesk.createClient({ username: STAFF.email, token: 'x'.repeat(43), endpointUri: `${s.baseUrl}/api/v2` });
  await assert.rejects(bad.users.me(), (e) => /401|Not Authorized/i.test(String(e.message)));
});
