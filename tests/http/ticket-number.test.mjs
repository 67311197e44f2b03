// The ticket number format (issue 16), through the real binary on SQLite
// and PostgreSQL: an admin chooses sequential numbers with a prefix and the
// year; new tickets show SUP-YYYY-000001 in their page, the flash message,
// email subjects and the API; an email reply whose subject carries that
// number threads into the ticket; the search finds it by that number; and
// tickets opened before keep their random number.
import fs from 'node:fs';
import path from 'node:path';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun, sleep, ROOT } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { describeResponse, inputValue, mainText } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket, waitForMail } from '../lib/fixtures.mjs';
import { queueNumbers, uniqueWord } from '../lib/staff.mjs';
import { makeToken, api } from '../lib/api.mjs';

let s;
let admin;
let maria;
let before1; // a ticket opened with random numbers
const YEAR = new Date().getUTCFullYear();

/** Every field of the settings page as it shows it, so a save changes only what a test says. */
async function settingsForm() {
  const page = await admin.get('/staff/admin/settings');
  assert.equal(page.status, 200);
  const form = {};
  for (const m of page.body.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    if (/type="checkbox"/.test(tag)) {
      if (/ checked/.test(tag)) form[m[1]] = /value="([^"]*)"/.exec(tag)[1];
    } else if (!/type="hidden"/.test(tag)) {
      form[m[1]] = inputValue(page.body, m[1]) ?? '';
    }
  }
  return form;
}

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  before1 = (await openTicket(maria, { subject: 'Antes da mudança' })).number;
});

after(async () => {
  if (s) await s.stop();
});

test('a bad prefix answers 422 and names the field; nothing is saved', async () => {
  const form = await settingsForm();
  const r = await admin.post('/staff/admin/settings', { ...form, ticket_number_format: 'sequential', ticket_number_prefix: 'SU-P' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.match(r.body, /id="ticket_number_prefix-error"/);
  const page = await admin.get('/staff/admin/settings');
  assert.match(page.body, /<option value="random" selected>/);
});

test('with sequential numbers a new ticket shows SUP-YEAR-000001 in its page, the flash, the email subject and the API', async () => {
  const form = await settingsForm();
  const r = await admin.post('/staff/admin/settings', {
    ...form, ticket_number_format: 'sequential', ticket_number_prefix: 'sup', ticket_number_year: '1',
  });
  assert.equal(r.status, 303, describeResponse(r));
  await sleep(5500); // every server thread re-reads the settings within 5 s
  const label = `SUP-${YEAR}-000001`;
  const word = uniqueWord('NUM');
  const t = await openTicket(maria, { subject: `Numerado ${word}` });
  assert.equal(t.status, 303, describeResponse(t));
  const page = await maria.get(t.location);
  assert.match(mainText(page.body), new RegExp(`Ticket #${label} aberto com sucesso`), 'the flash message');
  assert.match(page.body, new RegExp(`<span class="number">#${label}</span>`));
  const second = await openTicket(maria, { subject: `Numerado dois ${word}` });
  const page2 = await maria.get(`/tickets/${second.number}`);
  assert.match(page2.body, new RegExp(`#SUP-${YEAR}-000002`), 'the counter did not move on');
  const [mail] = await waitForMail(s.dataDir, (m) => (m.subject || '').includes(word) && m.toAddresses.includes(CLIENT.email),
    { what: 'the confirmation email' });
  assert.match(mail.subject, new RegExp(`\\[Ticket ID: ${label}\\]`));
  const old = await maria.get(`/tickets/${before1}`);
  assert.match(old.body, new RegExp(`#${before1}<`), 'a ticket opened before lost its number');
  const auth = { token: await makeToken(s, STAFF.email), email: STAFF.email };
  const q = await api(s, auth, 'GET', `/api/v2/search.json?query=${encodeURIComponent(`type:ticket ${word}`)}`);
  assert.deepEqual(q.json.results.map((x) => x.number).sort(), [label, `SUP-${YEAR}-000002`]);
  const search = await admin.get(`/staff/tickets?q=${encodeURIComponent(label)}`);
  assert.deepEqual(queueNumbers(search.body), [t.number], 'the search by the display number');
  assert.match(search.body, new RegExp(`>${label}</a>`), 'the queue shows the display number');
});

test('an emailed reply whose subject carries the display number threads into that ticket', async () => {
  const label = `SUP-${YEAR}-000001`;
  const word = uniqueWord('EMAIL');
  const text = fs.readFileSync(path.join(ROOT, 'tests', 'mail', 'new-utf8.eml'), 'latin1')
    .replaceAll('{{MSGID}}', `numero-${process.pid}-${Date.now()}@client.example`)
    .replace('Subject: Site fora do ar desde ontem', `Subject: Re: [Ticket ID: ${label}] Numerado`)
    .replace('Aparece ', `Resposta por e-mail ${word}. Aparece `);
  const r = await runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], { input: Buffer.from(text, 'latin1') });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /reply added to ticket/, describeRun(r));
  const search = await admin.get(`/staff/tickets?q=${encodeURIComponent(word)}`);
  const [number] = queueNumbers(search.body);
  assert.ok(number, 'the reply is in no ticket');
  const page = await admin.get(`/staff/tickets/${number}`);
  assert.match(page.body, new RegExp(`#${label}`), 'the reply went to another ticket');
});
