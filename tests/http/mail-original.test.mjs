// The staff open the original of every message that came in by email — its
// headers and source shown as text, or the .eml itself — and only on tickets
// they may see. A message without a Message-ID keeps its original too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { describeResponse } from '../lib/accounts.mjs';
import { openTicket, CLIENT, STAFF } from '../lib/fixtures.mjs';

const AGENT = { email: 'agente.vendas@exemplo.com.br', password: 'senha1234', name: 'Paula Vendas' };
let s;
let admin;
let agent; // an agent of Vendas only
let maria;

before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  await admin.get('/staff/admin/staff/new');
  const r = await admin.post('/staff/admin/staff', {
    name: AGENT.name, email: AGENT.email, role: 'agent', password: AGENT.password, active: '1', departments: '3',
  });
  assert.equal(r.status, 303, describeResponse(r));
  agent = await signIn(s, AGENT.email, AGENT.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});
after(async () => {
  if (s) await s.stop();
});

function email(headers, body) {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

async function mailIn(bytes) {
  const r = await runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir], { input: bytes });
  assert.equal(r.code, 0, describeRun(r));
  const n = /ticket #(\d+)/.exec(r.stderr)?.[1];
  assert.ok(n, describeRun(r));
  return n;
}

/** The "original" links of a staff ticket page, in thread order. */
function originalLinks(html) {
  return [...html.matchAll(/href="(\/staff\/tickets\/\d+\/messages\/\d+\/original)"/g)].map((m) => m[1]);
}

test('a message that came by email links to its original, shown as escaped text and downloadable byte for byte', async () => {
  const bytes = email([
    'From: Maria Souza <cliente@exemplo.com.br>', 'To: suporte@exemplo.com.br',
    'Subject: <script>alert(1)</script> Erro no painel', `Message-ID: <original-1-${process.pid}@client.example>`,
    'X-Mailer: Teste 1.0', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
  ], 'O painel mostra <b>erro</b> ao entrar.\r\n');
  const n = await mailIn(bytes);
  const page = await admin.get(`/staff/tickets/${n}`);
  assert.equal(page.status, 200);
  const [link] = originalLinks(page.body);
  assert.ok(link, 'no link to the original on the staff ticket page');
  const original = await admin.get(link);
  assert.equal(original.status, 200, describeResponse(original));
  assert.match(original.body, /X-Mailer: Teste 1\.0/);
  assert.ok(original.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the subject is not escaped');
  assert.ok(!original.body.includes('<script>alert(1)'), 'raw markup from the email reached the page');
  const download = await s.fetch(`${link}?download=1`, { headers: { Cookie: admin.cookieHeader() } });
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'message/rfc822');
  assert.match(download.headers.get('content-disposition') || '', /^attachment; filename="email-\d+\.eml"$/);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
});

test('a message without a Message-ID keeps its original too', async () => {
  const n = await mailIn(email([
    'From: Maria Souza <cliente@exemplo.com.br>', 'To: suporte@exemplo.com.br',
    `Subject: Sem identificador ${process.pid}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
  ], 'Esta mensagem não tem Message-ID.\r\n'));
  const page = await admin.get(`/staff/tickets/${n}`);
  const [link] = originalLinks(page.body);
  assert.ok(link, 'no link to the original');
  const original = await admin.get(link);
  assert.equal(original.status, 200);
  assert.match(original.body, /Sem identificador/);
});

test('an agent of another department, a client and a message typed on the web get no original', async () => {
  const n = await mailIn(email([
    'From: Maria Souza <cliente@exemplo.com.br>', 'To: suporte@exemplo.com.br', 'Subject: Só do suporte',
    `Message-ID: <original-2-${process.pid}@client.example>`, 'Content-Type: text/plain; charset=utf-8',
  ], 'Texto.\r\n'));
  const [link] = originalLinks((await admin.get(`/staff/tickets/${n}`)).body);
  assert.ok(link);
  assert.equal((await agent.get(link)).status, 404, 'an agent outside the department opened the original');
  assert.equal((await agent.get(`${link}?download=1`)).status, 404);
  assert.notEqual((await maria.get(link)).status, 200, 'a client opened a staff page');
  const web = await openTicket(maria, { subject: 'Aberto na web' });
  const webPage = await admin.get(`/staff/tickets/${web.number}`);
  assert.deepEqual(originalLinks(webPage.body), [], 'a web message links to an original');
  const messageId = /\/messages\/(\d+)\/original/.exec(link)[1];
  assert.equal((await admin.get(`/staff/tickets/${web.number}/messages/${messageId}/original`)).status, 404,
    'the original of another ticket\'s message opened under this ticket');
});
