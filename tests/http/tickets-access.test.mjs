// Who may touch a ticket, as a matrix: every ticket URL (the page, reply,
// close, an attachment) × {the owner, another client, signed out, a number that
// does not exist}. Another client's ticket must answer 404 exactly like a
// number that does not exist (same status, headers and page), change nothing,
// and signed out every URL sends to /login?next=... .
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, stopProblem } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { addUser, describeResponse } from '../lib/accounts.mjs';
import { postMultipart, file } from '../lib/multipart.mjs';
import { CLIENT, PNG, PNG2, openTicket } from '../lib/fixtures.mjs';

let s;
let maria; // owner of T
let bob; // another client, owner of B
let anon; // signed out (but with a CSRF token, like a browser that loaded a page)
let T; // {number, attachment} Maria's ticket
let B; // {number, attachment} Bob's ticket
let NONE; // a six-digit number no ticket has

function attachmentIds(html) {
  return [...html.matchAll(/href="\/tickets\/\d+\/attachments\/(\d+)" download/g)].map((m) => m[1]);
}

before(async () => {
  s = await startServer({ demo: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  const u = await addUser(s, { name: 'Roberto Alves', password: 'senha1234' });
  bob = await signIn(s, u.email, u.password);
  anon = new Client(s);
  await anon.get('/');

  const t = await openTicket(maria, { subject: 'Ticket da Maria', message: 'segredo da Maria', files: [file('maria.png', PNG)] });
  const b = await openTicket(bob, { subject: 'Ticket do Roberto', message: 'segredo do Roberto', files: [file('roberto.png', PNG2)] });
  if (t.status !== 303 || b.status !== 303) throw new Error(`could not open the tickets: ${t.status} ${b.status}`);
  T = { number: t.number, attachment: attachmentIds((await maria.get(t.location)).body)[0] };
  B = { number: b.number, attachment: attachmentIds((await bob.get(b.location)).body)[0] };
  if (!T.attachment || !B.attachment) throw new Error('the tickets have no attachment links');
  do NONE = String(100000 + crypto.randomInt(900000)); while (NONE === T.number || NONE === B.number);
});
after(async () => {
  if (s) await s.stop();
});

// ---- the four actions ---------------------------------------------------------------

const submission = () => crypto.randomBytes(32).toString('base64url');

const ACTIONS = {
  'GET /tickets/N': (c, n) => c.get(`/tickets/${n}`),
  'POST /tickets/N/reply': (c, n) => postMultipart(c, `/tickets/${n}/reply`,
    { submission: submission(), message: 'Resposta de quem não devia.' }, [file('intruso.png', PNG2)]),
  // A reply the form check refuses: refused the same for another client's ticket,
  // never with the ticket's page (422) that would show it.
  'POST /tickets/N/reply, blank': (c, n) => postMultipart(c, `/tickets/${n}/reply`,
    { submission: submission(), message: '  ' }),
  'POST /tickets/N/reply, a file that is not what its name says': (c, n) => postMultipart(c, `/tickets/${n}/reply`,
    { submission: submission(), message: 'Resposta de quem não devia.' },
    [file('falso.png', Buffer.from('<html><body>não é imagem</body></html>'), { type: 'image/png' })]),
  'POST /tickets/N/close': (c, n) => c.post(`/tickets/${n}/close`, {}),
  'GET /tickets/N/attachments/ID': (c, n, a) => c.get(`/tickets/${n}/attachments/${a}`),
};

/** Where signed out sends back to after signing in: the page itself, or for a form's POST the ticket page that holds the form. */
const NEXT = {
  'GET /tickets/N': (n) => `/tickets/${n}`,
  'POST /tickets/N/reply': (n) => `/tickets/${n}`,
  'POST /tickets/N/reply, blank': (n) => `/tickets/${n}`,
  'POST /tickets/N/reply, a file that is not what its name says': (n) => `/tickets/${n}`,
  'POST /tickets/N/close': (n) => `/tickets/${n}`,
  'GET /tickets/N/attachments/ID': (n, a) => `/tickets/${n}/attachments/${a}`,
};

/** What must be equal between two 404s: status, headers (except per-response ones) and the page with the number replaced. */
function shape(r, number, attachment) {
  const headers = {};
  for (const [k, v] of r.res.headers) if (!['date', 'set-cookie', 'content-length'].includes(k)) headers[k] = v;
  let body = r.body.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="…"');
  body = body.split(`/tickets/${number}`).join('/tickets/N');
  if (attachment) body = body.split(`/attachments/${attachment}`).join('/attachments/ID');
  return { status: r.status, headers, body, bodyLength: Buffer.byteLength(body) };
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at character ${i}:\n  another client: …${JSON.stringify(a.slice(Math.max(0, i - 80), i + 120))}\n` +
    `  no such ticket: …${JSON.stringify(b.slice(Math.max(0, i - 80), i + 120))}`;
}

async function snapshot(c, number) {
  const r = await c.get(`/tickets/${number}`);
  const status = /<span class="badge[^"]*">([^<]*)<\/span>/.exec(r.body)?.[1];
  const messages = (r.body.match(/<li class="message/g) || []).length;
  return { status, messages, attachments: attachmentIds(r.body) };
}

let mariaBefore;
let bobBefore;
const matrix = {}; // action -> column -> status, for the table at the end

function note(action, column, r) {
  (matrix[action] ||= {})[column] = `${r.status}${r.location ? ` → ${r.location}` : ''}`;
}

test('the two tickets and their attachments exist, and the spare number answers 404 to its owner-to-be', async () => {
  mariaBefore = await snapshot(maria, T.number);
  bobBefore = await snapshot(bob, B.number);
  assert.equal(mariaBefore.messages, 1);
  assert.equal(bobBefore.messages, 1);
  const r = await maria.get(`/tickets/${NONE}`);
  assert.equal(r.status, 404, `GET /tickets/${NONE} (no such ticket) as Maria: ${describeResponse(r)}`);
});

// ---- the matrix ---------------------------------------------------------------------

for (const action of Object.keys(ACTIONS)) {
  test(`${action}: another client gets 404, identical to a number that does not exist`, async () => {
    const other = await ACTIONS[action](bob, T.number, T.attachment);
    const none = await ACTIONS[action](bob, NONE, T.attachment);
    note(action, 'another client', other);
    note(action, 'no such number', none);
    assert.equal(other.status, 404, `${action.replace('N', T.number).replace('ID', T.attachment)} as another client: ${describeResponse(other)}`);
    assert.equal(none.status, 404, `${action.replace('N', NONE).replace('ID', T.attachment)} (no such ticket): ${describeResponse(none)}`);
    const a = shape(other, T.number, T.attachment);
    const b = shape(none, NONE, T.attachment);
    assert.deepEqual(a.headers, b.headers, 'the headers differ');
    assert.ok(a.body === b.body, `the pages differ ${firstDifference(a.body, b.body)}`);
    assert.ok(!other.body.includes('Ticket da Maria') && !other.body.includes('segredo da Maria'), 'the 404 shows Maria\'s ticket');
  });

  test(`${action}: signed out answers 303 to /login?next=${NEXT[action]('N', 'ID')}`, async () => {
    const r = await ACTIONS[action](anon, T.number, T.attachment);
    note(action, 'signed out', r);
    assert.equal(r.status, 303, describeResponse(r));
    assert.equal(r.location, `/login?next=${NEXT[action](T.number, T.attachment)}`);
    const none = await ACTIONS[action](anon, NONE, T.attachment);
    assert.equal(none.status, 303, `a number that does not exist, signed out: ${describeResponse(none)}`);
    assert.equal(none.location, `/login?next=${NEXT[action](NONE, T.attachment)}`);
  });
}

test('after every attempt by another client and by a signed-out visitor, Maria\'s ticket is unchanged', async () => {
  const now = await snapshot(maria, T.number);
  assert.deepEqual(now, mariaBefore);
});

test('GET /tickets/N/attachments/ID: another ticket\'s attachment id through one\'s own ticket answers 404 like an id that does not exist', async () => {
  const cross = await bob.get(`/tickets/${B.number}/attachments/${T.attachment}`);
  const none = await bob.get(`/tickets/${B.number}/attachments/999999`);
  assert.equal(cross.status, 404, `Bob asks his own #${B.number} for Maria's attachment ${T.attachment}: ${describeResponse(cross)}`);
  assert.equal(none.status, 404, describeResponse(none));
  assert.equal(shape(cross, B.number, T.attachment).body, shape(none, B.number, '999999').body);
  assert.ok(!cross.body.includes('\x89PNG'), 'PNG bytes in the answer');
  const own = await maria.get(`/tickets/${T.number}/attachments/${B.attachment}`);
  assert.equal(own.status, 404, `Maria asks her #${T.number} for Bob's attachment ${B.attachment}: ${describeResponse(own)}`);
});

test('malformed ticket numbers and attachment ids answer 404 for the owner, never 500', async () => {
  for (const p of ['/tickets/abc', '/tickets/0', '/tickets/-1', '/tickets/1234567', '/tickets/99999999999999999999999',
    `/tickets/${T.number}/attachments/abc`, `/tickets/${T.number}/attachments/0`,
    `/tickets/${T.number}/attachments/-1`, `/tickets/${T.number}/attachments/99999999999999999999999`]) {
    const r = await maria.get(p);
    assert.equal(r.status, 404, `GET ${p}: ${r.status}`);
  }
});

for (const action of Object.keys(ACTIONS)) {
  test(`${action}: a number that does not exist answers 404 to the signed-in owner of other tickets`, async () => {
    const r = await ACTIONS[action](maria, NONE, T.attachment);
    note(action, 'no such number (Maria)', r);
    assert.equal(r.status, 404, describeResponse(r));
  });
}

// The owner goes last: reply and close change the ticket.
test('GET /tickets/N: the owner gets 200 with the ticket', async () => {
  const r = await ACTIONS['GET /tickets/N'](maria, T.number);
  note('GET /tickets/N', 'owner', r);
  assert.equal(r.status, 200);
  assert.ok(r.body.includes('Ticket da Maria'));
});

test('GET /tickets/N/attachments/ID: the owner gets 200 with the bytes', async () => {
  const res = await s.fetch(`/tickets/${T.number}/attachments/${T.attachment}`, { headers: { Cookie: maria.cookieHeader() } });
  const body = Buffer.from(await res.arrayBuffer());
  note('GET /tickets/N/attachments/ID', 'owner', { status: res.status });
  assert.equal(res.status, 200);
  assert.ok(body.equals(PNG), 'the bytes differ');
});

test('POST /tickets/N/reply: the owner gets 303 back to the ticket', async () => {
  const r = await ACTIONS['POST /tickets/N/reply'](maria, T.number);
  note('POST /tickets/N/reply', 'owner', r);
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(r.location || '', new RegExp(`^/tickets/${T.number}(#.*)?$`));
});

test('POST /tickets/N/reply, blank: the owner gets 422 with the ticket and "Escreva sua resposta."', async () => {
  const r = await ACTIONS['POST /tickets/N/reply, blank'](maria, T.number);
  note('POST /tickets/N/reply, blank', 'owner', r);
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(r.body.includes('Ticket da Maria') && r.body.includes('Escreva sua resposta.'), 'the 422 page is not the ticket with the error');
});

test('POST /tickets/N/reply, a file that is not what its name says: the owner gets 422 with the text kept', async () => {
  const r = await ACTIONS['POST /tickets/N/reply, a file that is not what its name says'](maria, T.number);
  note('POST /tickets/N/reply, a file that is not what its name says', 'owner', r);
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(r.body.includes('Ticket da Maria') && r.body.includes('falso.png'), 'the 422 page does not name the file');
  assert.ok(r.body.includes('Resposta de quem não devia.'), 'the reply text was not kept');
});

test('POST /tickets/N/close: the owner gets 303 back to the ticket', async () => {
  const r = await ACTIONS['POST /tickets/N/close'](maria, T.number);
  note('POST /tickets/N/close', 'owner', r);
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(r.location || '', new RegExp(`^/tickets/${T.number}(#.*)?$`));
});

test('Bob\'s own ticket was never touched by the whole run', async () => {
  assert.deepEqual(await snapshot(bob, B.number), bobBefore);
});

test('signed out, a reply or close sends to /login with a next that, once signed in, leads to a page that answers 200', async (t) => {
  const c = new Client(s);
  await c.get('/');
  const r = await ACTIONS['POST /tickets/N/reply'](c, T.number);
  assert.equal(r.status, 303);
  const next = new URL(r.location, s.baseUrl).searchParams.get('next');
  await c.get(r.location);
  const login = await c.post('/login', { email: CLIENT.email, password: CLIENT.password, next });
  assert.equal(login.status, 303, describeResponse(login));
  const landed = await c.get(login.location);
  t.diagnostic(`next=${next}, after sign-in Location ${login.location} → ${landed.status}`);
  assert.equal(landed.status, 200, `after signing in (next=${next}) the client lands on ${login.location}, which answers ${landed.status}`);
});

test('the access matrix as seen', (t) => {
  const cols = ['owner', 'another client', 'signed out', 'no such number', 'no such number (Maria)'];
  const lines = Object.keys(ACTIONS).map((a) => `${a.padEnd(62)} ${cols.map((c) => `${c}: ${matrix[a]?.[c] ?? '-'}`).join(' | ')}`);
  for (const l of lines) t.diagnostic(l);
  for (const a of Object.keys(ACTIONS)) for (const c of cols) assert.ok(matrix[a]?.[c], `no result for ${a} × ${c}`);
});

test('the server exits with code 0 on SIGTERM, without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});
