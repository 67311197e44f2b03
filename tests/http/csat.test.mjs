// Customer satisfaction over HTTP, from the email the client receives: a
// ticket is closed, one "Como você avalia o atendimento?" email arrives with
// Bom / Ruim links, a click on the link in the .eml records the rating
// without signing in and offers a comment box, a bad rating with a comment
// emails the department, the staff ticket page shows the rating, and a
// forged token is answered like a missing page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { mainText, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket, waitForMail, mailFiles } from '../lib/fixtures.mjs';
import { staffUpdate, staffReply, uniqueWord } from '../lib/staff.mjs';

let s;
let admin;
let maria;

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});

after(async () => {
  if (s) await s.stop();
});

const surveysFor = (number) => mailFiles(s.dataDir).filter((m) => m.toAddresses.includes(CLIENT.email) &&
  m.subject.includes(number) && /Como você avalia o atendimento/.test(m.subject));

/** The survey's link for a rating, as a path on the server. */
function link(mail, rating) {
  const url = mail.links.find((l) => new RegExp(`/csat/[^/]+/${rating}$`).test(l));
  assert.ok(url, `the survey email links to a "${rating}" rating: ${mail.links.join(' ')}`);
  return new URL(url).pathname;
}

test('closing a ticket sends one survey; a click on Bom in the .eml records the rating without signing in', async () => {
  const subject = uniqueWord('CSAT');
  const t = await openTicket(maria, { subject });
  await staffReply(admin, t.number, 'Resolvido: o certificado foi renovado.');
  assert.equal(surveysFor(t.number).length, 0, 'no survey on a reply when the setting is "on close"');
  let r = await staffUpdate(admin, t.number, { status: 'closed' });
  assert.equal(r.status, 303, describeResponse(r));
  const [mail] = await waitForMail(s.dataDir, (m) => surveysFor(t.number).some((x) => x.file === m.file), { what: 'the survey email' });
  assert.match(mail.text, /Bom: http/);
  assert.match(mail.html, /Ruim<\/a>/);

  const stranger = new Client(s); // no session at all
  r = await stranger.get(link(mail, 'good'));
  assert.equal(r.status, 200, describeResponse(r));
  assert.match(mainText(r.body), /Obrigado! Sua avaliação: Bom\./);
  assert.match(r.body, /<input type="radio" name="rating" value="good" checked>/);

  r = await admin.get(`/staff/tickets/${t.number}`);
  assert.match(mainText(r.body), /Avaliação do cliente Bom/);

  // Closing again (after a reopen) does not ask a second time.
  await staffUpdate(admin, t.number, { status: 'open' });
  await staffUpdate(admin, t.number, { status: 'closed' });
  await new Promise((res) => setTimeout(res, 600));
  assert.equal(surveysFor(t.number).length, 1, 'one survey email per ticket');
});

test('a bad rating with a comment reaches the department, and the rating can be changed', async () => {
  const t = await openTicket(maria, { subject: uniqueWord('CSAT') });
  await staffUpdate(admin, t.number, { status: 'closed' });
  const [mail] = await waitForMail(s.dataDir, (m) => surveysFor(t.number).some((x) => x.file === m.file), { what: 'the survey email' });
  const stranger = new Client(s);
  let r = await stranger.get(link(mail, 'bad'));
  assert.equal(r.status, 200);
  const comment = `Demorou demais ${uniqueWord('C')}`;
  r = await stranger.post(new URL(link(mail, 'bad'), s.baseUrl).pathname.replace(/\/bad$/, ''), { rating: 'bad', comment });
  assert.equal(r.status, 200, describeResponse(r));
  assert.match(mainText(r.body), /Obrigado pelo comentário!/);
  await waitForMail(s.dataDir, (m) => m.subject.includes('Avaliação ruim') && m.text.includes(comment),
    { what: 'the department\'s notice of a bad rating' });
  r = await admin.get(`/staff/tickets/${t.number}`);
  assert.match(mainText(r.body), new RegExp(`Avaliação do cliente Ruim .* ${comment}`));

  r = await stranger.get(link(mail, 'good'));
  assert.equal(r.status, 200);
  r = await admin.get(`/staff/tickets/${t.number}`);
  assert.match(mainText(r.body), new RegExp(`Avaliação do cliente Bom .* ${comment}`), 'changed, the comment kept');
});

test('a forged or altered token is a missing page', async () => {
  const stranger = new Client(s);
  for (const p of ['/csat/123456-1700000000-00112233445566778899aabbccddeeff/good', '/csat/nada/good']) {
    const r = await stranger.get(p);
    assert.equal(r.status, 404, p);
  }
  const t = await openTicket(maria, { subject: uniqueWord('CSAT') });
  await staffUpdate(admin, t.number, { status: 'closed' });
  const [mail] = await waitForMail(s.dataDir, (m) => surveysFor(t.number).some((x) => x.file === m.file), { what: 'the survey email' });
  const good = link(mail, 'good');
  const other = good.replace(/\/csat\/(\d+)-/, (_, n) => `/csat/${Number(n) + 1}-`);
  assert.equal((await stranger.get(other)).status, 404, 'the token is for one ticket only');
  assert.equal((await stranger.get(good.replace(/good$/, 'great'))).status, 404);
});

test('the admin can ask after every staff reply instead', async () => {
  let r = await admin.get('/staff/admin/sla');
  assert.match(r.body, /<option value="close" selected>/);
  r = await admin.post('/staff/admin/sla', { csat_trigger: 'reply', csat_notify_bad: '1' });
  assert.equal(r.status, 303, describeResponse(r));
  const t = await openTicket(maria, { subject: uniqueWord('CSAT') });
  await staffReply(admin, t.number, 'Primeira resposta.');
  await waitForMail(s.dataDir, (m) => surveysFor(t.number).some((x) => x.file === m.file), { what: 'a survey after the reply' });
  r = await admin.post('/staff/admin/sla', { csat_trigger: 'close', csat_notify_bad: '1' });
  assert.equal(r.status, 303);
});
