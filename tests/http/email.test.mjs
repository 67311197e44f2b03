// Outgoing email through a real SMTP server (Debian's aiosmtpd as a sink):
// the password-reset email, its one-time link, silence for unknown addresses,
// the hourly cap, and an SMTP outage that must neither lose nor duplicate mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, sleep } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { startSmtpSink } from '../lib/smtp-sink.mjs';
import { addUser, mainText, describeResponse } from '../lib/accounts.mjs';

const CLIENT = { email: 'cliente@exemplo.com.br', password: 'cliente123', name: 'Maria Souza' };
const STAFF = { email: 'admin@exemplo.com.br', password: 'admin1234' };
const SENT = 'Confira sua caixa de entrada.';
const DEAD_LINK = 'Este link não vale mais';

let sink;
let s;
let company;

before(async () => {
  sink = await startSmtpSink();
  s = await startServer({
    demo: true,
    env: {
      CHAMADO_SMTP_URL: sink.url,
      CHAMADO_MAIL_RETRY_BASE: '1',
      CHAMADO_MAIL_POLL_MS: '100',
      CHAMADO_MAIL_MAX_ATTEMPTS: '10',
    },
  });
  const home = await (await s.fetch('/')).text();
  company = /<a class="brand"[^>]*>([^<]+)<\/a>/.exec(home)?.[1].trim();
});
after(async () => {
  if (s) await s.stop();
  if (sink) await sink.close();
});

/** POST the forgot form (client or staff) from a fresh visitor; returns the response. */
async function askReset(email, { staff = false } = {}) {
  const page = staff ? '/staff/forgot' : '/forgot';
  const c = new Client(s);
  await c.get(page);
  return c.post(page, { email });
}

function resetLinkRe(staff = false) {
  const base = s.baseUrl.replace(/[.]/g, '\\.');
  return new RegExp(`^${base}${staff ? '/staff' : ''}/reset/([A-Za-z0-9_-]{43})$`);
}

function describeMail(m) {
  return `To: ${m.header('to')}\nSubject: ${m.subject}\nContent-Type: ${m.header('content-type')}\n` +
    `links: ${m.links.join(' ')}\ntext:\n${(m.text || '(none)').slice(0, 800)}`;
}

let held; // a session of the demo client from before the reset
let mail; // the reset email to the demo client

test('a reset request for the demo client answers 200 "Confira sua caixa de entrada." and exactly one email reaches the SMTP server', async () => {
  held = await signIn(s, CLIENT.email, CLIENT.password);
  const r = await askReset(CLIENT.email);
  assert.equal(r.status, 200, describeResponse(r));
  assert.ok(mainText(r.body).includes(SENT), describeResponse(r));
  const list = await sink.waitForMessages(1, { to: CLIENT.email });
  await sleep(300);
  assert.equal(sink.messagesTo(CLIENT.email).length, 1, 'more than one email for one request');
  mail = list[0];
});

test('the reset email has the pt-BR Subject "Redefinição de senha — <company>" in RFC 2047 encoded words, a Message-ID, a Date, the recipient and Auto-Submitted: auto-generated', () => {
  assert.ok(mail, 'no email from the previous test');
  assert.ok(company, 'the company name was not found on the home page');
  const rawSubject = mail.headers.find((h) => h.name === 'subject')?.value || '';
  assert.match(rawSubject, /=\?utf-8\?[BQ]\?/i, `the raw Subject is not in encoded words: ${rawSubject}`);
  assert.doesNotMatch(rawSubject, /[^\x20-\x7e]/, `raw 8-bit characters in the Subject header: ${rawSubject}`);
  assert.equal(mail.subject, `Redefinição de senha — ${company}`);
  assert.match(mail.messageId || '', /^<[^<>@\s]+@[^<>@\s]+>$/, `Message-ID: ${mail.messageId}`);
  const date = Date.parse(mail.header('date') || '');
  assert.ok(Number.isFinite(date), `Date header does not parse: ${mail.header('date')}`);
  assert.ok(Math.abs(date - Date.now()) < 10 * 60 * 1000, `Date header is far from now: ${mail.header('date')}`);
  assert.ok(mail.header('from'), 'no From header');
  assert.deepEqual(mail.toAddresses, [CLIENT.email], `To: ${mail.header('to')}`);
  assert.equal((mail.header('auto-submitted') || '').toLowerCase(), 'auto-generated');
  assert.equal(mail.headerAll('subject').length, 1, 'more than one Subject header');
});

test('the reset email is multipart/alternative with a text and an HTML part that both carry the same /reset/<43-character token> link', () => {
  assert.ok(mail, 'no email from the first test');
  assert.equal(mail.contentType, 'multipart/alternative', describeMail(mail));
  assert.deepEqual(mail.parts.map((p) => p.contentType).sort(), ['text/html', 'text/plain'], describeMail(mail));
  const re = resetLinkRe();
  const inText = (mail.text.match(/https?:\/\/\S+/g) || []).filter((l) => re.test(l));
  assert.equal(inText.length, 1, `expected one ${s.baseUrl}/reset/<token> link in the text part\n${describeMail(mail)}`);
  assert.ok(mail.html.includes(inText[0]), 'the HTML part does not carry the same link');
  assert.ok(mail.text.includes(CLIENT.name), 'the text part does not greet the account by name');
});

test('the link opens a password form; saving a new password answers 303 to /login, signs out the existing session, and only the new password works', async () => {
  assert.ok(mail, 'no email from the first test');
  const link = mail.links.find((l) => resetLinkRe().test(l));
  const path = new URL(link).pathname;
  const c = new Client(s);
  const form = await c.get(path);
  assert.equal(form.status, 200, describeResponse(form));
  assert.match(form.body, /<input[^>]*name="password"/, 'the reset page has no password field');
  const r = await c.post(path, { password: 'redefinida-123' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(new URL(r.location, s.baseUrl).pathname, '/login', `redirected to ${r.location}`);
  const acct = await held.get('/account');
  assert.equal(acct.status, 303, `the session from before the reset still opens /account: ${describeResponse(acct)}`);
  const old = new Client(s);
  await old.get('/login');
  const o = await old.post('/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(o.status, 422, `the old password after the reset: ${describeResponse(o)}`);
  await signIn(s, CLIENT.email, 'redefinida-123');
});

test('the same link used again answers 404 "Este link não vale mais" to GET and to POST, and the password stays', async () => {
  assert.ok(mail, 'no email from the first test');
  const path = new URL(mail.links.find((l) => resetLinkRe().test(l))).pathname;
  const c = new Client(s);
  const g = await c.get(path);
  assert.equal(g.status, 404, describeResponse(g));
  assert.ok(mainText(g.body).includes(DEAD_LINK), describeResponse(g));
  assert.doesNotMatch(g.body, /<input[^>]*name="password"/, 'a used link still shows the password form');
  const p = await c.post(path, { password: 'outra-vez-123' });
  assert.equal(p.status, 404, describeResponse(p));
  await signIn(s, CLIENT.email, 'redefinida-123');
});

test('a made-up reset token answers 404 "Este link não vale mais"', async () => {
  const c = new Client(s);
  for (const token of ['A'.repeat(43), 'short', `${'b'.repeat(43)}x`]) {
    const r = await c.get(`/reset/${token}`);
    assert.equal(r.status, 404, `/reset/${token}: ${describeResponse(r)}`);
    assert.ok(mainText(r.body).includes(DEAD_LINK), `/reset/${token}: ${describeResponse(r)}`);
  }
});

test('an unknown address gets the very same answer page and no email is sent', async () => {
  const u = await addUser(s);
  const unknown = 'ninguem-aqui@teste.example';
  const a = await askReset(unknown);
  const b = await askReset(u.email);
  assert.equal(a.status, 200, describeResponse(a));
  assert.equal(a.status, b.status);
  assert.equal(mainText(a.body), mainText(b.body), 'the answer for an unknown address differs from the one for an account');
  // Email goes out in order: once the account's email arrived, the unknown one would have too.
  await sink.waitForMessages(1, { to: u.email });
  await sleep(300);
  assert.equal(sink.messagesTo(unknown).length, 0, 'an email was sent to an address without an account');
});

test('a staff reset through /staff/forgot sends a /staff/reset/<token> link that sets the staff password', async () => {
  const r = await askReset(STAFF.email, { staff: true });
  assert.equal(r.status, 200, describeResponse(r));
  assert.ok(mainText(r.body).includes(SENT), describeResponse(r));
  const [m] = await sink.waitForMessages(1, { to: STAFF.email });
  const link = m.links.find((l) => resetLinkRe(true).test(l));
  assert.ok(link, `no ${s.baseUrl}/staff/reset/<token> link\n${describeMail(m)}`);
  const c = new Client(s);
  const path = new URL(link).pathname;
  assert.equal((await c.get(path)).status, 200);
  const p = await c.post(path, { password: 'equipe-nova-123' });
  assert.equal(p.status, 303, describeResponse(p));
  await signIn(s, STAFF.email, 'equipe-nova-123', { staff: true });
  // A staff link does not work on the client path.
  const token = resetLinkRe(true).exec(link)[1];
  const cross = await c.get(`/reset/${token}`);
  assert.equal(cross.status, 404, `a staff token on /reset/: ${describeResponse(cross)}`);
});

test('at most 3 reset emails go to one account per hour: five requests send three, and every request gets the same answer', async () => {
  const u = await addUser(s);
  const marker = await addUser(s);
  const answers = [];
  for (let i = 0; i < 5; i++) {
    const r = await askReset(u.email);
    assert.equal(r.status, 200, `request ${i + 1}: ${describeResponse(r)}`);
    answers.push(mainText(r.body));
  }
  assert.equal(new Set(answers).size, 1, 'the answer changed once the limit was reached');
  await askReset(marker.email);
  await sink.waitForMessages(1, { to: marker.email });
  await sleep(300);
  const got = sink.messagesTo(u.email).length;
  assert.equal(got, 3, `${got} reset emails for five requests within an hour`);
});

test('during an SMTP outage nothing is lost: resets for three accounts arrive after the server comes back, each exactly once', async () => {
  const users = [];
  for (let i = 0; i < 3; i++) users.push(await addUser(s, { name: `Conta Pane ${i}` }));
  await sink.stop();
  for (const u of users) {
    const r = await askReset(u.email);
    assert.equal(r.status, 200, `reset request during the outage: ${describeResponse(r)}`);
  }
  // Let the sender try (and fail) a couple of times with the short retry settings.
  await sleep(1500);
  for (const u of users) assert.equal(sink.messagesTo(u.email).length, 0, 'an email arrived while the SMTP server was down');
  await sink.start();
  for (const u of users) await sink.waitForMessages(1, { to: u.email, timeoutMs: 60000 });
  // A few more retry periods: nothing may arrive twice.
  await sleep(2500);
  const byId = new Map();
  for (const u of users) {
    const list = sink.messagesTo(u.email);
    assert.equal(list.length, 1, `${u.email} got ${list.length} emails after the outage`);
    for (const m of list) byId.set(m.messageId, (byId.get(m.messageId) || 0) + 1);
    assert.ok(list[0].links.some((l) => resetLinkRe().test(l)), `the email to ${u.email} has no reset link`);
  }
  const all = new Map();
  for (const m of sink.messages()) all.set(m.messageId, (all.get(m.messageId) || 0) + 1);
  const dup = [...all].filter(([, n]) => n > 1);
  assert.deepEqual(dup, [], `Message-IDs delivered more than once: ${dup.map(([id, n]) => `${id} ×${n}`).join(', ')}`);
  assert.equal(byId.size, 3, 'the three emails do not have three distinct Message-IDs');
});

test('the server exits with code 0 on SIGTERM without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});
