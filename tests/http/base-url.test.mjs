// The site's address is a setting of the installation (admin settings, in
// the database), so the server and `chamado mail-in` put the same links in
// their emails; CHAMADO_BASE_URL, when set, takes precedence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, runCli, describeRun, ROOT } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { inputValue, describeResponse } from '../lib/accounts.mjs';
import { openTicket, waitForMail, CLIENT, STAFF } from '../lib/fixtures.mjs';

const SITE = 'https://suporte.exemplo.com.br';
let s;
let admin;
let maria;

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_BASE_URL: undefined, CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});
after(async () => {
  if (s) await s.stop();
});

async function settingsForm() {
  const page = await admin.get('/staff/admin/settings');
  assert.equal(page.status, 200);
  // Every field as the page shows it, so a save changes only what a test says.
  const form = {};
  for (const m of page.body.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    if (/type="checkbox"/.test(tag)) {
      if (/ checked/.test(tag)) form[m[1]] = /value="([^"]*)"/.exec(tag)[1];
    } else if (!/type="hidden"/.test(tag)) {
      form[m[1]] = inputValue(page.body, m[1]) ?? '';
    }
  }
  form.mail_unknown_sender = /value="refuse"[^>]*checked/.test(page.body) ? 'refuse' : 'create';
  return form;
}

function newTicketEmail(id) {
  const text = fs.readFileSync(path.join(ROOT, 'tests', 'mail', 'new-utf8.eml'), 'latin1').replaceAll('{{MSGID}}', id);
  return Buffer.from(text, 'latin1');
}

test('a wrong site address answers 422 with the typed value and an error; nothing is saved', async () => {
  const form = await settingsForm();
  const r = await admin.post('/staff/admin/settings', { ...form, base_url: 'javascript:alert(1)' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.equal(inputValue(r.body, 'base_url'), 'javascript:alert(1)');
  assert.match(r.body, /id="base_url-error"/);
  const page = await admin.get('/staff/admin/settings');
  assert.equal(inputValue(page.body, 'base_url'), '');
});

test('the saved site address starts the links of the emails the server sends', async () => {
  const form = await settingsForm();
  const r = await admin.post('/staff/admin/settings', { ...form, base_url: `${SITE}/` });
  assert.equal(r.status, 303, describeResponse(r));
  const page = await admin.get('/staff/admin/settings');
  assert.equal(inputValue(page.body, 'base_url'), SITE, 'the trailing slash is dropped');
  const t = await openTicket(maria, { subject: 'Link do site' });
  assert.ok(t.number, `the ticket was not opened: ${t.status}`);
  const [mail] = await waitForMail(s.dataDir, (m) => m.subject?.includes(`[Ticket ID: ${t.number}]`) &&
    m.toAddresses.includes(CLIENT.email), { what: `the confirmation of #${t.number}` });
  assert.ok(mail.text.includes(`${SITE}/tickets/${t.number}`), `no link to ${SITE} in:\n${mail.text}`);
});

test('`chamado mail-in` without CHAMADO_BASE_URL links to the same address as the server', async () => {
  const r = await runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], {
    input: newTicketEmail(`base-url-1-${process.pid}@client.example`), env: { CHAMADO_BASE_URL: undefined },
  });
  assert.equal(r.code, 0, describeRun(r));
  const n = /stored: ticket #(\d+) opened/.exec(r.stderr)?.[1];
  assert.ok(n, describeRun(r));
  const [mail] = await waitForMail(s.dataDir, (m) => m.subject?.includes(`[Ticket ID: ${n}]`) &&
    m.toAddresses.includes(CLIENT.email), { what: `the confirmation of #${n}` });
  assert.ok(mail.text.includes(`${SITE}/tickets/${n}`), `no link to ${SITE} in:\n${mail.text}`);
});

test('CHAMADO_BASE_URL, when set, takes precedence over the setting', async () => {
  const r = await runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], {
    input: newTicketEmail(`base-url-2-${process.pid}@client.example`),
    env: { CHAMADO_BASE_URL: 'https://outro.exemplo.net' },
  });
  assert.equal(r.code, 0, describeRun(r));
  const n = /stored: ticket #(\d+) opened/.exec(r.stderr)?.[1];
  const [mail] = await waitForMail(s.dataDir, (m) => m.subject?.includes(`[Ticket ID: ${n}]`) &&
    m.toAddresses.includes(CLIENT.email), { what: `the confirmation of #${n}` });
  assert.ok(mail.text.includes(`https://outro.exemplo.net/tickets/${n}`), mail.text);
});
