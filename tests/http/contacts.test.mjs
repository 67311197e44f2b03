// Client contacts (sub-accounts, issue 16), end to end through the real
// binary: the owner adds contacts at /account/contacts; a contact gets the
// link to choose a password, signs in, and with "can open and see tickets"
// works on the account's tickets as themselves; without it they see none.
// Contacts never manage contacts; emails reach those who get ticket emails
// (never notes); removing a contact ends their session at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { addUser, mainText, describeResponse } from '../lib/accounts.mjs';
import { postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF, openTicket, listedNumbers, waitForMail, mailFiles } from '../lib/fixtures.mjs';
import { staffReply, staffNote, clientId } from '../lib/staff.mjs';
import { makeToken, api, describeApi } from '../lib/api.mjs';

const run = `${process.pid}-${Date.now()}`;
const CARLOS = { email: `carlos-${run}@empresa.example`, name: 'Carlos Contato', password: 'senha-do-carlos-1' };
const DORA = { email: `dora-${run}@empresa.example`, name: 'Dora Semacesso', password: 'senha-da-dora-12' };

let s;
let maria; // the owner (the demo client)
let admin;
let carlos; // a contact who can open and see tickets and gets ticket emails
let dora; // a contact with neither permission
let mine; // a ticket of Maria's account: {number}
let otherAccount; // a ticket of another account: {number}

before(async () => {
  s = await startServer({ demo: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const b = await addUser(s, { name: 'Bruno Outra Conta' });
  const bruno = await signIn(s, b.email, b.password);
  const o = await openTicket(bruno, { subject: `Ticket da outra conta ${run}` });
  assert.equal(o.status, 303, o.body.slice(0, 300));
  otherAccount = { number: o.number };
  const m = await openTicket(maria, { subject: `Ticket da Maria ${run}` });
  assert.equal(m.status, 303, m.body.slice(0, 300));
  mine = { number: m.number };
});
after(async () => {
  if (s) await s.stop();
});

/** The id of the contact with this address, from the owner's Contatos page. */
async function contactIdOf(email) {
  const page = (await maria.get('/account/contacts')).body;
  const at = page.indexOf(email);
  assert.ok(at > 0, `${email} is not on the Contatos page`);
  const m = /action="\/account\/contacts\/(\d+)"/.exec(page.slice(at));
  assert.ok(m, `no permissions form for ${email}`);
  return m[1];
}

/** The open-ticket count in the menu, or null when it shows none. */
function menuCount(html) {
  const m = /<a href="\/tickets"[^>]*>[^<]*<span class="count"[^>]*>\s*(\d+)\s*<\/span>/.exec(html);
  return m ? Number(m[1]) : null;
}

/** Follows the set-password link emailed to address and signs in with password. */
async function acceptInvitation(address, password) {
  const [mail] = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(address) &&
    /\/reset\/[A-Za-z0-9_-]{43}/.test(m.text || ''), { what: `the set-password link to ${address}` });
  const path = /\/reset\/[A-Za-z0-9_-]{43}/.exec(mail.text)[0];
  const c = new Client(s);
  const form = await c.get(path);
  assert.equal(form.status, 200, describeResponse(form));
  const r = await c.post(path, { password });
  assert.equal(r.status, 303, describeResponse(r));
  return signIn(s, address, password);
}

test('the owner adds two contacts on Contatos, linked from Minha conta; each gets a link to choose a password', async () => {
  const account = await maria.get('/account');
  assert.match(account.body, /href="\/account\/contacts"/, '/account does not link to Contatos');
  const page = await maria.get('/account/contacts');
  assert.equal(page.status, 200);
  assert.match(page.body, /<label for="name">/);
  assert.match(page.body, /<label for="email">/);
  assert.match(mainText(page.body), /Pode abrir e ver tickets/);
  assert.match(mainText(page.body), /Recebe os e-mails dos tickets/);
  let r = await maria.post('/account/contacts', { name: CARLOS.name, email: CARLOS.email, can_tickets: '1', gets_emails: '1' });
  assert.equal(r.status, 303, describeResponse(r));
  r = await maria.post('/account/contacts', { name: DORA.name, email: DORA.email });
  assert.equal(r.status, 303, describeResponse(r));
  const list = mainText((await maria.get('/account/contacts')).body);
  assert.ok(list.includes(CARLOS.email) && list.includes(DORA.email), list);
  assert.match(list, /O contato foi adicionado/);
  carlos = await acceptInvitation(CARLOS.email, CARLOS.password);
  dora = await acceptInvitation(DORA.email, DORA.password);
});

test('adding a contact checks the form: 422 keeps what was typed; an address with an account is refused', async () => {
  const r = await maria.post('/account/contacts', { name: '', email: 'nao-e-email' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.match(r.body, /id="name"[^>]*aria-invalid="true"/);
  assert.match(r.body, /id="email"[^>]*value="nao-e-email"[^>]*aria-invalid="true"/);
  const taken = await maria.post('/account/contacts', { name: 'Outra', email: CLIENT.email });
  assert.equal(taken.status, 422);
  assert.match(mainText(taken.body), /já tem uma conta/);
});

test('a contact who can open and see tickets sees the account\'s tickets, opens one for the account and replies as themselves', async () => {
  const list = await carlos.get('/tickets');
  assert.equal(list.status, 200);
  assert.ok(listedNumbers(list.body).includes(mine.number), `Carlos does not see #${mine.number}`);
  assert.equal((await carlos.get(`/tickets/${mine.number}`)).status, 200);
  // The menu counts the account's open tickets, for the contact as for the owner.
  const before = menuCount((await maria.get('/tickets')).body);
  assert.ok(before > 0, `the owner's menu count is ${before}`);
  assert.equal(menuCount(list.body), before, 'the contact\'s menu does not count the account\'s tickets');
  const o = await openTicket(carlos, { subject: `Aberto pelo Carlos ${run}`, message: `Mensagem do Carlos ${run}` });
  assert.equal(o.status, 303, o.body.slice(0, 300));
  assert.equal(menuCount((await carlos.get('/')).body), before + 1, 'the contact\'s count after the opening');
  assert.equal(menuCount((await maria.get('/')).body), before + 1, 'the owner\'s count after the contact\'s opening');
  // The ticket is the account's: Maria sees it too.
  assert.ok(listedNumbers((await maria.get('/tickets')).body).includes(o.number), 'the owner does not see it');
  const reply = `Resposta do Carlos ${run}`;
  const page = await carlos.get(`/tickets/${mine.number}`);
  const submission = /name="submission" value="([^"]*)"/.exec(page.body)?.[1];
  const r = await postMultipart(carlos, `/tickets/${mine.number}/reply`, { submission, message: reply });
  assert.equal(r.status, 303, r.body.slice(0, 300));
  // Staff see who wrote what: Carlos's name by his message, and among the account's contacts.
  const staffPage = mainText((await admin.get(`/staff/tickets/${mine.number}`)).body);
  const at = staffPage.indexOf(reply);
  assert.ok(at > 0, 'staff do not see the reply');
  assert.ok(staffPage.lastIndexOf(CARLOS.name, at) > staffPage.lastIndexOf(CLIENT.name, at),
    'the reply is not shown with Carlos\'s name');
  assert.match(staffPage, new RegExp(`Contatos[\\s\\S]*${CARLOS.name}`), 'the staff ticket page does not list the contacts');
  const opened = mainText((await admin.get(`/staff/tickets/${o.number}`)).body);
  assert.ok(opened.includes(CARLOS.name) && opened.includes(`Mensagem do Carlos ${run}`));
});

test('a contact without the permission sees none of the account\'s tickets: empty list, 404 on the URL, no opening', async () => {
  const list = await dora.get('/tickets');
  assert.equal(list.status, 200);
  assert.deepEqual(listedNumbers(list.body), []);
  assert.equal(menuCount(list.body), null, 'the menu counts tickets the contact may not see');
  assert.match(mainText(list.body), /não permitiu que você abra ou veja os tickets/, 'the empty list does not say why');
  assert.equal((await dora.get(`/tickets/${mine.number}`)).status, 404);
  const form = await dora.get('/tickets/new?department=1');
  assert.doesNotMatch(form.body, /name="submission"/, 'Abrir Ticket offers the form');
  assert.match(mainText(form.body), /não permitiu que você abra/);
  const o = await postMultipart(dora, '/tickets', { department: 1, subject: `Dora tenta ${run}`, service: 0,
    priority: 'medium', message: 'Tentativa.' });
  assert.equal(o.status, 403, 'a contact without the permission opened a ticket');
  assert.ok(!mainText((await maria.get('/tickets')).body).includes(`Dora tenta ${run}`));
});

test('a contact of one account never sees another account\'s tickets', async () => {
  assert.ok(!listedNumbers((await carlos.get('/tickets')).body).includes(otherAccount.number));
  assert.equal((await carlos.get(`/tickets/${otherAccount.number}`)).status, 404);
  const r = await postMultipart(carlos, `/tickets/${otherAccount.number}/reply`, { message: 'intruso' });
  assert.equal(r.status, 404);
});

test('a contact cannot reach contact management nor the owner\'s profile', async () => {
  const id = await contactIdOf(DORA.email);
  assert.equal((await carlos.get('/account/contacts')).status, 404);
  assert.equal((await carlos.post('/account/contacts', { name: 'X', email: `x-${run}@empresa.example`, can_tickets: '1' })).status, 404);
  assert.equal((await carlos.post(`/account/contacts/${id}`, { can_tickets: '1' })).status, 404);
  assert.equal((await carlos.post(`/account/contacts/${id}/remove`, {})).status, 404);
  const account = await carlos.get('/account');
  assert.equal(account.status, 200);
  assert.doesNotMatch(account.body, /href="\/account\/contacts"/);
  assert.ok(mainText(account.body).includes(CARLOS.email) && !mainText(account.body).includes(CLIENT.email),
    'a contact\'s Minha conta shows the owner\'s account');
  // Dora still has no permission: Carlos's post changed nothing.
  assert.equal((await dora.get(`/tickets/${mine.number}`)).status, 404);
});

test('a staff reply emails the contact who gets ticket emails, never the note; the other contact gets nothing', async () => {
  const note = `NOTA-INTERNA-${run}`;
  const reply = `RESPOSTA-DA-EQUIPE-${run}`;
  assert.equal((await staffNote(admin, mine.number, note)).status, 303);
  assert.equal((await staffReply(admin, mine.number, reply)).status, 303);
  const [mail] = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CARLOS.email) && (m.text || '').includes(reply),
    { what: `the staff reply to ${CARLOS.email}` });
  assert.match(mail.subject, new RegExp(`\\[Ticket ID: ${mine.number}\\]`));
  assert.doesNotMatch(mail.text, /\/t\/\d+\//, 'a contact\'s email carries the owner\'s access key');
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) && (m.text || '').includes(reply),
    { what: 'the staff reply to the owner' });
  for (const m of mailFiles(s.dataDir)) {
    if (m.toAddresses.includes(CARLOS.email) || m.toAddresses.includes(DORA.email)) {
      assert.ok(!(m.text || '').includes(note) && !(m.html || '').includes(note), 'a note reached a contact');
    }
    if (m.toAddresses.includes(DORA.email)) {
      assert.ok(!(m.text || '').includes(reply), 'a contact without "gets ticket emails" got the reply');
    }
  }
});

function mailIn(raw) {
  return runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], {
    input: Buffer.from(raw.replace(/\n/g, '\r\n')), env: { CHAMADO_BASE_URL: s.baseUrl },
  });
}

function email({ from, subject, body }) {
  const id = `${Math.random().toString(36).slice(2)}-${run}@mail.example`;
  return `From: ${from}\nTo: suporte@exemplo.com.br\nSubject: ${subject}\nDate: Tue, 01 Dec 2026 10:00:00 -0300\n` +
    `Message-ID: <${id}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${body}\n`;
}

test('an emailed reply from a contact with the permission is added as theirs; from one without, it is refused', async () => {
  const text = `Carlos respondeu por e-mail ${run}`;
  const r = await mailIn(email({ from: `${CARLOS.name} <${CARLOS.email}>`, subject: `Re: [Ticket ID: ${mine.number}] Ticket`, body: text }));
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, new RegExp(`stored: contact reply added to ticket #${mine.number}`), describeRun(r));
  const page = mainText((await maria.get(`/tickets/${mine.number}`)).body);
  assert.ok(page.includes(text));
  const denied = await mailIn(email({ from: DORA.email, subject: `Re: [Ticket ID: ${mine.number}] Ticket`, body: `DORA-POR-EMAIL-${run}` }));
  assert.equal(denied.code, 0, describeRun(denied));
  assert.match(denied.stderr, /refused/, describeRun(denied));
  assert.ok(!mainText((await maria.get(`/tickets/${mine.number}`)).body).includes(`DORA-POR-EMAIL-${run}`));
});

test('a change of permission takes effect on the contact\'s next request', async () => {
  const id = await contactIdOf(CARLOS.email);
  let r = await maria.post(`/account/contacts/${id}`, { gets_emails: '1' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal((await carlos.get(`/tickets/${mine.number}`)).status, 404);
  assert.deepEqual(listedNumbers((await carlos.get('/tickets')).body), []);
  r = await maria.post(`/account/contacts/${id}`, { can_tickets: '1', gets_emails: '1' });
  assert.equal(r.status, 303);
  assert.equal((await carlos.get(`/tickets/${mine.number}`)).status, 200);
});

test('staff see the account\'s contacts on the client\'s admin page; the changes are audited', async () => {
  const id = await clientId(admin, CLIENT.email);
  const page = mainText((await admin.get(`/staff/admin/clients/${id}`)).body);
  assert.ok(page.includes(CARLOS.email) && page.includes(DORA.email), 'the admin client page does not list the contacts');
  const audit = mainText((await admin.get('/staff/admin/audit')).body);
  assert.ok(audit.includes(CARLOS.email), 'adding a contact was not audited');
});

test('the API shows a contact as an end-user with the owner\'s user id and its permissions', async () => {
  const token = await makeToken(s, STAFF.email);
  const r = await api(s, { token }, 'GET', `/api/v2/users/search.json?query=${encodeURIComponent(DORA.email)}`);
  assert.equal(r.status, 200, describeApi(r));
  const [dora] = r.json.users;
  assert.ok(dora, describeApi(r));
  assert.equal(dora.role, 'end-user');
  const owner = await clientId(admin, CLIENT.email);
  assert.deepEqual(dora.chamado, { contact_of: owner * 2, can_open_and_see_tickets: false, gets_ticket_emails: false });
  const one = await api(s, { token }, 'GET', `/api/v2/users/${dora.id}.json`);
  assert.equal(one.json.user.chamado.contact_of, owner * 2);
  const maria = await api(s, { token }, 'GET', `/api/v2/users/${owner * 2}.json`);
  assert.equal(maria.json.user.chamado, undefined, 'the owner is shown as a contact');
});

test('removing a contact ends their session at once and their password no longer works', async () => {
  const id = await contactIdOf(CARLOS.email);
  const r = await maria.post(`/account/contacts/${id}/remove`, {});
  assert.equal(r.status, 303, describeResponse(r));
  assert.ok(!mainText((await maria.get('/account/contacts')).body).includes(CARLOS.email));
  const after = await carlos.get('/tickets');
  assert.equal(after.status, 303, 'the removed contact is still signed in');
  const c = new Client(s);
  await c.get('/login');
  assert.equal((await c.post('/login', { email: CARLOS.email, password: CARLOS.password })).status, 422);
  // What he wrote stays, with his name.
  const page = mainText((await maria.get(`/tickets/${mine.number}`)).body);
  assert.ok(page.includes(`Resposta do Carlos ${run}`) && page.includes(CARLOS.name));
});

test('removing the owner\'s personal data removes the contacts\' too', async () => {
  const owner = await addUser(s, { name: 'Dona Ana Removida' });
  const ana = await signIn(s, owner.email, owner.password);
  const contact = `contato-removido-${run}@empresa.example`;
  await ana.get('/account/contacts');
  assert.equal((await ana.post('/account/contacts', { name: 'Zeca Removido', email: contact, can_tickets: '1' })).status, 303);
  const id = await clientId(admin, owner.email);
  const r = await admin.post(`/staff/admin/clients/${id}/anonymise`, { confirm_email: owner.email });
  assert.equal(r.status, 303, describeResponse(r));
  const page = mainText((await admin.get(`/staff/admin/clients/${id}`)).body);
  assert.ok(!page.includes(contact) && !page.includes('Zeca Removido'), 'the contact\'s data is still shown');
  const found = await admin.get(`/staff/admin/clients?q=${encodeURIComponent(contact)}`);
  assert.ok(!mainText(found.body).includes(contact), 'the contact\'s address is still searchable');
});
