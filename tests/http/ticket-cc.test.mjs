// CC contacts and the password-less ticket access link (issue 16), end to end
// through the real binary: a client copies people on Abrir Ticket; staff
// replies reach them by email with a link of their own; the link opens that
// one ticket without a session, takes a reply and sets no cookie; staff
// revoke it; CCs answer by email (mail-in) and a Cc on a new email makes CCs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { mainText, decodeEntities } from '../lib/accounts.mjs';
import { postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF, ticketForm, openTicket, waitForMail, mailFiles } from '../lib/fixtures.mjs';
import { staffReply, staffNote, formInput } from '../lib/staff.mjs';

let s;
let maria;
let admin;
let T; // the ticket opened with CCs: {number}
let other; // another ticket of Maria's
let anaLink; // the path of Ana's access link, /t/N/KEY
const ANA = 'ana.dev@agencia.example';
const BIA = 'bia@financeiro.example';
const run = `${process.pid}-${Date.now()}`;

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
});
after(async () => {
  if (s) await s.stop();
});

/** Abrir Ticket with a CC field, as the form posts it. */
async function openWithCc(cc, subject) {
  const form = await ticketForm(maria, 1);
  assert.equal(form.status, 200);
  assert.match(form.body, /<label for="cc">/, 'Abrir Ticket has no labelled CC field');
  return postMultipart(maria, '/tickets', {
    submission: form.submission, department: 1, subject, service: 0, priority: 'medium',
    message: 'O site mostra erro 500 desde hoje cedo.', cc,
  });
}

/** The /t/N/KEY path of the newest email to address about ticket number that contains text. */
async function accessLink(address, number, text) {
  const [mail] = (await waitForMail(s.dataDir, (m) => m.toAddresses.includes(address) &&
    (m.text || '').includes(text), { what: `an email to ${address} with "${text}"` })).slice(-1);
  const m = new RegExp(`/t/${number}/([A-Za-z0-9_-]{43})`).exec(mail.text || '');
  assert.ok(m, `no access link of #${number} in the email to ${address}:\n${mail.text}`);
  return { path: `/t/${number}/${m[1]}`, key: m[1], mail };
}

function cookiesSet(r) {
  return r.res.headers.getSetCookie().map((c) => c.split('=')[0]);
}

test('Abrir Ticket: a bad CC address answers 422, keeps what was typed and names it', async () => {
  const typed = `${ANA}, isto-nao-e-email`;
  const r = await openWithCc(typed, `Com cópia ruim ${run}`);
  assert.equal(r.status, 422, r.body.slice(0, 300));
  assert.ok(decodeEntities(r.body).includes(typed), 'the typed CC field was not kept');
  assert.match(mainText(r.body), /“isto-nao-e-email” não é um endereço de e-mail válido/);
  assert.match(r.body, /id="cc"[^>]*aria-invalid="true"/);
});

test('Abrir Ticket: the client copies two people; the ticket page lists them, not the client', async () => {
  const r = await openWithCc(`${ANA}\n${BIA}, ${CLIENT.email}`, `Com cópia ${run}`);
  assert.equal(r.status, 303, r.body.slice(0, 300));
  T = { number: /\/tickets\/(\d+)$/.exec(r.location)[1] };
  const page = mainText((await maria.get(r.location)).body);
  assert.match(page, /Em cópia \(CC\)/);
  assert.ok(page.includes(ANA) && page.includes(BIA), page);
  const o = await openTicket(maria, { subject: `Outro ticket ${run}` });
  other = { number: o.number };
});

test('a staff public reply emails each CC with an access link; the internal note does not', async () => {
  const note = `NOTA-INTERNA-${run}`;
  const reply = `RESPOSTA-PUBLICA-${run}`;
  assert.equal((await staffNote(admin, T.number, note)).status, 303);
  assert.equal((await staffReply(admin, T.number, reply)).status, 303);
  const ana = await accessLink(ANA, T.number, reply);
  anaLink = ana.path;
  assert.match(ana.mail.subject, new RegExp(`\\[Ticket ID: ${T.number}\\]`));
  await accessLink(BIA, T.number, reply);
  for (const m of mailFiles(s.dataDir)) {
    assert.ok(!(m.text || '').includes(note) && !(m.html || '').includes(note), `the note reached ${m.header('to')}`);
  }
});

test('the link shows the ticket without signing in: public messages only, no session cookie', async () => {
  const anon = new Client(s);
  const r = await anon.get(anaLink);
  assert.equal(r.status, 200);
  const text = mainText(r.body);
  assert.ok(text.includes(`Com cópia ${run}`), 'the subject is not shown');
  assert.ok(text.includes(`RESPOSTA-PUBLICA-${run}`), 'the staff reply is not shown');
  assert.ok(!text.includes(`NOTA-INTERNA-${run}`), 'the internal note is shown through the link');
  assert.match(text, new RegExp(`Você está em cópia \\(CC\\) deste ticket como ${ANA.replace('.', '\\.')}`));
  assert.ok(!cookiesSet(r).some((c) => c === 'sid' || c === 'ssid'), `a session cookie was set: ${cookiesSet(r)}`);
  assert.equal(r.res.headers.get('cache-control'), 'no-store');
  // Nothing else opens with it.
  assert.equal((await anon.get('/tickets')).status, 303, 'the link signed the visitor in');
});

test('a reply through the link is added as the CC\'s and sets no cookie; the client is told', async () => {
  const anon = new Client(s);
  const page = await anon.get(anaLink);
  const submission = formInput(page.body, 'submission', `${anaLink}/reply`);
  const text = `Resposta da Ana pelo link ${run}`;
  const r = await postMultipart(anon, `${anaLink}/reply`, { submission, message: text });
  assert.equal(r.status, 303, r.body.slice(0, 300));
  assert.equal(r.location, `${anaLink}?sent=1#latest`);
  assert.deepEqual(r.res.headers.getSetCookie(), [], 'the reply set a cookie');
  const after = await anon.get(r.location.replace('#latest', ''));
  assert.match(mainText(after.body), /Sua resposta foi enviada\./);
  const staffPage = mainText((await admin.get(`/staff/tickets/${T.number}`)).body);
  assert.ok(staffPage.includes(text), 'staff do not see the reply');
  assert.ok(staffPage.includes(ANA), 'the reply is not shown as Ana\'s');
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) && (m.text || '').includes(text),
    { what: 'the client\'s copy of Ana\'s reply' });
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(BIA) && (m.text || '').includes(text),
    { what: 'Bia\'s copy of Ana\'s reply' });
  // Without the form's CSRF token nothing is added.
  const forged = await postMultipart(new Client(s), `${anaLink}/reply`, { csrf: 'x', message: 'forjado' });
  assert.equal(forged.status, 403);
});

test('a key does not open another ticket, nor does a changed key: 404 like an unknown one', async () => {
  const key = anaLink.split('/')[3];
  const anon = new Client(s);
  const unknown = await anon.get(`/t/${T.number}/${'A'.repeat(43)}`);
  assert.equal(unknown.status, 404);
  assert.equal((await anon.get(`/t/${other.number}/${key}`)).status, 404);
  const changed = key[0] === 'A' ? `B${key.slice(1)}` : `A${key.slice(1)}`;
  assert.equal((await anon.get(`/t/${T.number}/${changed}`)).status, 404);
  const reply = await postMultipart(anon, `/t/${other.number}/${key}/reply`, { message: 'intruso' });
  assert.equal(reply.status, 404);
});

test('the client\'s own email carries their link, which opens the ticket for them too', async () => {
  const mine = await accessLink(CLIENT.email, T.number, `RESPOSTA-PUBLICA-${run}`);
  const r = await new Client(s).get(mine.path);
  assert.equal(r.status, 200);
  assert.match(mainText(r.body), /Você está vendo este ticket como/);
  assert.ok(mine.mail.text.includes(`/tickets/${T.number}`), 'the Client Area link is gone from the email');
});

test('staff revoke Ana\'s link: it answers 404, and the next email brings a new one that works', async () => {
  const page = (await admin.get(`/staff/tickets/${T.number}`)).body;
  const li = new RegExp(`<li><span class="cc-address">${ANA.replace('.', '\\.')}[\\s\\S]*?</li>`).exec(page)?.[0] || '';
  const ccId = /name="cc" value="(\d+)"/.exec(li)?.[1];
  assert.ok(ccId, `no revoke form for ${ANA}:\n${li}`);
  const r = await admin.post(`/staff/tickets/${T.number}/access/revoke`, { cc: ccId });
  assert.equal(r.status, 303);
  assert.equal((await new Client(s).get(anaLink)).status, 404, 'a revoked key still opens the ticket');
  const again = `DEPOIS-DA-REVOGACAO-${run}`;
  assert.equal((await staffReply(admin, T.number, again)).status, 303);
  const fresh = await accessLink(ANA, T.number, again);
  assert.notEqual(fresh.path, anaLink);
  assert.equal((await new Client(s).get(fresh.path)).status, 200);
  assert.match(mainText((await admin.get(`/staff/tickets/${T.number}`)).body), /revogou o link de acesso de/);
});

function mailIn(raw) {
  return runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], {
    input: Buffer.from(raw.replace(/\n/g, '\r\n')), env: { CHAMADO_BASE_URL: s.baseUrl },
  });
}

function email({ from, to = 'suporte@exemplo.com.br', cc, subject, body, id = `${Math.random().toString(36).slice(2)}-${run}@mail.example` }) {
  return `From: ${from}\nTo: ${to}\n${cc ? `Cc: ${cc}\n` : ''}Subject: ${subject}\nDate: Tue, 01 Dec 2026 10:00:00 -0300\n` +
    `Message-ID: <${id}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${body}\n`;
}

test('a CC answering by email adds a message as theirs; a stranger is still refused', async () => {
  const text = `Bia respondeu por e-mail ${run}`;
  const r = await mailIn(email({ from: `Bia Financeiro <${BIA}>`, subject: `Re: [Ticket ID: ${T.number}] Com cópia`, body: text }));
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, new RegExp(`stored: cc reply added to ticket #${T.number}`), describeRun(r));
  const page = mainText((await maria.get(`/tickets/${T.number}`)).body);
  assert.ok(page.includes(text), 'the client does not see the CC\'s email');
  assert.ok(page.includes(BIA), 'the email is not shown as Bia\'s');
  const stranger = await mailIn(email({ from: 'estranho@outro.example', subject: `Re: [Ticket ID: ${T.number}] Com cópia`, body: `INTRUSO-${run}` }));
  assert.equal(stranger.code, 0, describeRun(stranger));
  assert.match(stranger.stderr, /refused: estranho@outro\.example may not write/);
  assert.ok(!mainText((await maria.get(`/tickets/${T.number}`)).body).includes(`INTRUSO-${run}`));
});

test('a new ticket by email with Cc makes those addresses CCs, never the sender nor our own address', async () => {
  const carla = `carla-${process.pid}@parceiro.example`;
  const r = await mailIn(email({
    from: `Maria Souza <${CLIENT.email}>`, cc: `Carla <${carla}>, ${CLIENT.email}, suporte@localhost`,
    subject: `Novo com Cc ${run}`, body: 'O e-mail parou de chegar.',
  }));
  assert.equal(r.code, 0, describeRun(r));
  const n = /stored: ticket #(\d+) opened/.exec(r.stderr)?.[1];
  assert.ok(n, describeRun(r));
  const page = (await admin.get(`/staff/tickets/${n}`)).body;
  const ccs = [...page.matchAll(/<span class="cc-address">([^<]*)<\/span>/g)].map((m) => decodeEntities(m[1]));
  assert.deepEqual(ccs, [carla], `CCs of #${n}: ${ccs.join(', ')}`);
  await accessLink(carla, n, `Novo com Cc ${run}`);
});
