// Webhooks: a receiver on loopback gets each event (ticket created, client
// reply, staff reply, status changed) once, signed with the webhook's
// secret; while it is down the deliveries wait and are retried, and they
// arrive once it is back; "send again" on the admin page sends one again.
// The back-off is shortened with CHAMADO_WEBHOOK_RETRY_BASE so the test is
// quick; it asserts what arrives, never how fast.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, waitFor, runSql } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { describeResponse } from '../lib/accounts.mjs';
import { postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';
import { uniqueWord, formInput, staffReply } from '../lib/staff.mjs';
import { makeToken, api, describeApi, signature, webhookReceiver } from '../lib/api.mjs';

let s;
let admin;
let maria;
let auth;
let receiver;
let secret;
let webhookId;

before(async () => {
  receiver = webhookReceiver();
  await receiver.listen(await freePort());
  s = await startServer({
    demo: true,
    env: { CHAMADO_WEBHOOK_RETRY_BASE: '1', CHAMADO_WEBHOOK_POLL_MS: '100', CHAMADO_WEBHOOK_TIMEOUT_MS: '3000', CHAMADO_MAIL_POLL_MS: '100' },
  });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  auth = { token: await makeToken(s, STAFF.email, 'Hooks') };
  await admin.get('/staff/admin/webhooks');
  const made = await admin.post('/staff/admin/webhooks', {
    url: receiver.url(), ticket_created: '1', client_reply: '1', staff_reply: '1', status_changed: '1', active: '1',
  });
  assert.equal(made.status, 303, describeResponse(made));
  webhookId = /\/staff\/admin\/webhooks\/(\d+)$/.exec(made.location)[1];
  const page = await admin.get(made.location);
  secret = /<code class="token" id="secret">([^<]+)<\/code>/.exec(page.body)[1];
});

after(async () => {
  if (s) await s.stop();
  if (receiver) await receiver.close();
});

/** The deliveries received for a ticket, in arrival order. */
function deliveriesFor(ticketId) {
  return receiver.got.filter((d) => d.json && d.json.ticket && d.json.ticket.id === ticketId);
}

function assertSigned(d) {
  const ts = d.headers['x-chamado-timestamp'];
  assert.match(ts, /^\d+$/);
  assert.equal(d.headers['x-chamado-signature'], signature(secret, ts, d.body), 'the signature verifies');
  assert.notEqual(d.headers['x-chamado-signature'], signature('wrong secret', ts, d.body));
  assert.equal(d.headers['x-chamado-event'], d.json.event);
  assert.equal(d.headers['content-type'], 'application/json; charset=utf-8');
}

async function waitForEvents(ticketId, events, what) {
  return waitFor(() => {
    const got = deliveriesFor(ticketId).map((d) => d.json.event);
    return events.every((e) => got.includes(e)) ? deliveriesFor(ticketId) : null;
  }, { timeoutMs: 20000, intervalMs: 100, message: what });
}

async function createTicket() {
  const word = uniqueWord('HOOK');
  const r = await api(s, auth, 'POST', '/api/v2/tickets.json', {
    ticket: { subject: `Evento ${word}`, comment: { body: `corpo ${word}` }, requester: { email: CLIENT.email } },
  });
  assert.equal(r.status, 201, describeApi(r));
  return r.json.ticket;
}

async function clientReply(number, message) {
  const page = await maria.get(`/tickets/${number}`);
  const r = await postMultipart(maria, `/tickets/${number}/reply`, { submission: formInput(page.body, 'submission'), message });
  assert.equal(r.status, 303, describeResponse(r));
}

test('each event arrives once, signed, with the ticket as the API shows it', async () => {
  const t = await createTicket();
  await clientReply(t.number, 'Ainda fora do ar.');
  const reply = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { comment: { body: 'Reiniciamos o servidor.' } } });
  assert.equal(reply.status, 200);
  const status = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { status: 'solved' } });
  assert.equal(status.status, 200);
  const all = ['ticket_created', 'client_reply', 'staff_reply', 'status_changed'];
  await waitForEvents(t.id, all, 'the four events');
  // Give a duplicate the chance to show up before counting.
  await staffReply(admin, t.number, 'Uma resposta pelo painel.');
  await waitFor(() => deliveriesFor(t.id).filter((d) => d.json.event === 'staff_reply').length >= 2,
    { timeoutMs: 20000, intervalMs: 100, message: 'the panel reply event' });
  const got = deliveriesFor(t.id);
  const counts = Object.fromEntries(all.map((e) => [e, got.filter((d) => d.json.event === e).length]));
  assert.deepEqual(counts, { ticket_created: 1, client_reply: 1, staff_reply: 2, status_changed: 1 });
  const ids = got.map((d) => d.headers['x-chamado-delivery']);
  assert.equal(new Set(ids).size, ids.length, 'no delivery arrived twice');
  for (const d of got) assertSigned(d);
  const created = got.find((d) => d.json.event === 'ticket_created');
  assert.equal(created.json.ticket.subject, t.subject);
  assert.equal(created.json.ticket.requester_id, t.requester_id);
  const closed = got.find((d) => d.json.event === 'status_changed');
  assert.equal(closed.json.ticket.chamado.status, 'closed');
});

test('while the receiver is down deliveries wait and are retried; they arrive once it is back', async () => {
  const port = receiver.port;
  await receiver.close();
  const t = await createTicket();
  const reply = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { comment: { body: 'Estamos vendo.' } } });
  assert.equal(reply.status, 200, 'a dead receiver does not fail the change');
  // The sender tried and failed at least once for each, and logged why.
  await waitFor(() => {
    const out = runSql(s, `SELECT count(*) FROM webhook_deliveries WHERE ticket_id = ${t.id} AND attempts >= 1 AND status = 'queued' AND last_error IS NOT NULL`);
    return Number(out) >= 2;
  }, { timeoutMs: 20000, intervalMs: 200, message: 'failed attempts while the receiver is down' });
  const log = await admin.get(`/staff/admin/webhooks/${webhookId}`);
  assert.equal(log.status, 200);
  assert.match(log.body, /queued/);
  assert.equal(deliveriesFor(t.id).length, 0);
  await receiver.listen(port);
  const got = await waitForEvents(t.id, ['ticket_created', 'staff_reply'], 'the deliveries after the receiver came back');
  for (const d of got) assertSigned(d);
  assert.equal(got.filter((d) => d.json.event === 'ticket_created').length, 1);
  assert.equal(got.filter((d) => d.json.event === 'staff_reply').length, 1);
  await waitFor(() => Number(runSql(s, `SELECT count(*) FROM webhook_deliveries WHERE ticket_id = ${t.id} AND status = 'delivered'`)) === 2,
    { timeoutMs: 10000, message: 'both recorded as delivered' });
});

test('"send again" on the admin page sends a delivered event once more, the same body', async () => {
  const t = await createTicket();
  const [first] = await waitForEvents(t.id, ['ticket_created'], 'the created event');
  const id = first.headers['x-chamado-delivery'];
  // The receiver has the event a moment before the sender records it as
  // delivered: the log offers "send again" from then on.
  await waitFor(async () => (await admin.get(`/staff/admin/webhooks/${webhookId}`)).body.includes(`/deliveries/${id}/resend`),
    { timeoutMs: 10000, intervalMs: 100, message: 'the log to offer send again for the delivered event' });
  const r = await admin.post(`/staff/admin/webhooks/${webhookId}/deliveries/${id}/resend`, {});
  assert.equal(r.status, 303, describeResponse(r));
  const again = await waitFor(() => {
    const same = receiver.got.filter((d) => d.headers['x-chamado-delivery'] === id);
    return same.length >= 2 ? same : null;
  }, { timeoutMs: 20000, intervalMs: 100, message: 'the delivery sent again' });
  assert.equal(again[1].body, again[0].body);
  assertSigned(again[1]);
});

test('an inactive webhook gets nothing; the admin page checks the address and the events', async () => {
  const bad = await admin.post('/staff/admin/webhooks', { url: 'ftp://x', active: '1' });
  assert.equal(bad.status, 422);
  await admin.get(`/staff/admin/webhooks/${webhookId}`);
  const off = await admin.post(`/staff/admin/webhooks/${webhookId}`, {
    url: receiver.url(), ticket_created: '1', client_reply: '1', staff_reply: '1', status_changed: '1',
  });
  assert.equal(off.status, 303, describeResponse(off));
  const t = await createTicket();
  const count = Number(runSql(s, `SELECT count(*) FROM webhook_deliveries WHERE ticket_id = ${t.id}`));
  assert.equal(count, 0, 'nothing is queued for an inactive webhook');
});
