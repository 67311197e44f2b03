// Registro de auditoria against the real binary: administrative changes and
// staff sign-ins are recorded with who, from where and what changed (before →
// after); the page filters by person, kind and date and pages by keyset; the
// CSV opens in a pt-BR spreadsheet; agents cannot see it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runSql } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { uniqueEmail, describeResponse, decodeEntities } from '../lib/accounts.mjs';
import { createStaff } from '../lib/staff.mjs';
import { STAFF, CLIENT } from '../lib/fixtures.mjs';

let s;
let admin;
before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
});
after(async () => {
  if (s) await s.stop();
});

/** The rows of the audit table: [{when, who, ip, what, subject, changes}]. */
function auditRows(html) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] || '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]);
    const text = (h) => decodeEntities(h.replace(/<br>/g, '\n').replace(/<[^>]+>/g, '')).trim();
    const [what, subject] = text(cells[3]).split('\n');
    return { when: text(cells[0]), who: text(cells[1]), ip: text(cells[2]), what, subject: (subject || '').trim(), changes: text(cells[4]) };
  });
}

async function audit(query = '') {
  const r = await admin.get(`/staff/admin/audit${query}`);
  assert.equal(r.status, 200, describeResponse(r));
  return auditRows(r.body);
}

test('a settings change is recorded with who, from where and the value before and after', async () => {
  await admin.get('/staff/admin/security');
  const r = await admin.post('/staff/admin/security', { offer_clients: '1', require_staff: '' });
  assert.equal(r.status, 303);
  await admin.post('/staff/admin/security', {}); // clients: on → off
  const rows = await audit();
  // The setting is named by its field's label, not by its key (twofa_clients).
  const row = rows.find((x) => x.what === 'Configurações alteradas' &&
    /Oferecer a verificação em duas etapas aos clientes: 1 → 0/.test(x.changes));
  assert.ok(row, `no settings record with "Oferecer a verificação em duas etapas aos clientes: 1 → 0" in ${JSON.stringify(rows.slice(0, 5), null, 1)}`);
  assert.doesNotMatch(row.changes, /twofa_/, 'a raw setting key is shown');
  assert.equal(row.who, 'Ana Lima');
  assert.equal(row.ip, '127.0.0.1');
  assert.match(row.when, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  await admin.post('/staff/admin/security', { offer_clients: '1' });
});

test('departments, clients and staff: create, change and delete are recorded with what changed', async () => {
  await admin.get('/staff/admin/departments/new');
  const created = await admin.post('/staff/admin/departments', { name: 'Auditoria Teste', description: 'x', email: '', sort_order: '9', visible: '1' });
  assert.equal(created.status, 303, describeResponse(created));
  const list = await admin.get('/staff/admin/departments');
  const id = /\/staff\/admin\/departments\/(\d+)"><strong>Auditoria Teste/.exec(list.body)[1];
  await admin.post(`/staff/admin/departments/${id}`, { name: 'Auditoria Renomeada', description: 'x', email: '', sort_order: '9', visible: '1' });
  await admin.post(`/staff/admin/departments/${id}/delete`, {});

  await admin.get('/staff/admin/clients/1');
  const edit = await admin.post('/staff/admin/clients/1', { name: 'Maria S. Souza', email: CLIENT.email, language: 'pt-BR', active: '1' });
  assert.equal(edit.status, 303, describeResponse(edit));
  await admin.post('/staff/admin/clients/1', { name: 'Maria Souza', email: CLIENT.email, language: 'pt-BR', active: '1' });

  const member = await createStaff(admin, { name: 'Carla Dias', email: uniqueEmail('auditada'), departments: [1], signIn: false });

  const rows = await audit();
  const find = (what, subject) => rows.find((x) => x.what === what && x.subject === subject);
  assert.ok(find('Departamento criado', 'Auditoria Teste'), 'no record of the department created');
  assert.match(find('Departamento alterado', 'Auditoria Renomeada')?.changes || '', /name: Auditoria Teste → Auditoria Renomeada/);
  assert.ok(find('Departamento excluído', 'Auditoria Renomeada'), 'no record of the department deleted');
  assert.ok(rows.some((x) => x.what === 'Cliente alterado' && x.subject === CLIENT.email && /name: Maria Souza → Maria S\. Souza/.test(x.changes)),
    'no record of the client renamed');
  const staffRow = find('Membro da equipe criado', member.email);
  assert.ok(staffRow, 'no record of the staff member created');
  assert.match(staffRow.changes, /role:  → agent/);
  assert.doesNotMatch(staffRow.changes, /argon2/, 'a password hash was written into the log');
});

test('staff sign-ins are recorded, failures with the typed address; the kind and person filters narrow the list', async () => {
  const c = new Client(s);
  await c.get('/staff/login');
  const bad = await c.post('/staff/login', { email: STAFF.email, password: 'senha-errada' });
  assert.equal(bad.status, 422);
  await c.post('/staff/login', { email: 'ninguem@exemplo.com.br', password: 'qualquer-coisa' });
  await signIn(s, STAFF.email, STAFF.password, { staff: true });

  const failures = await audit('?kind=signin.failure');
  assert.ok(failures.length >= 2);
  assert.ok(failures.every((x) => x.what === 'Acesso falhou'), JSON.stringify(failures));
  assert.ok(failures.some((x) => x.subject === 'ninguem@exemplo.com.br' && /conta desconhecida/.test(x.changes)));
  assert.ok(failures.some((x) => x.subject === STAFF.email && x.who === 'Ana Lima' && /senha errada/.test(x.changes)));
  const signins = await audit('?kind=signin.');
  assert.ok(signins.some((x) => x.what === 'Entrou' && x.subject === STAFF.email));

  const page = await admin.get('/staff/admin/audit');
  const adminId = new RegExp(`<option value="(\\d+)"[^>]*>${STAFF.name || 'Ana Lima'}</option>`).exec(page.body)?.[1];
  assert.ok(adminId, 'the person filter does not list the admin');
  const mine = await audit(`?person=${adminId}`);
  assert.ok(mine.length > 0 && mine.every((x) => x.who === 'Ana Lima' || x.who === STAFF.email), JSON.stringify(mine.slice(0, 3)));
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  assert.deepEqual(await audit(`?from=${tomorrow}`), [], 'records from tomorrow on should be none');
});

test('the list pages by keyset: "Mais antigos" continues exactly where the page ended', async () => {
  await admin.get('/staff/admin/security');
  for (let i = 0; i < 26; i++) {
    await admin.post('/staff/admin/security', { offer_clients: '1', require_staff: '' });
    await admin.post('/staff/admin/security', {});
  }
  await admin.post('/staff/admin/security', { offer_clients: '1' });
  const first = await admin.get('/staff/admin/audit');
  const rows1 = auditRows(first.body);
  assert.equal(rows1.length, 50);
  const older = /href="([^"]*before=[^"]+)"/.exec(first.body)?.[1];
  assert.ok(older, 'no link to older records');
  const second = await admin.get(decodeEntities(older));
  const rows2 = auditRows(second.body);
  assert.ok(rows2.length > 0);
  const key = (x) => `${x.when}|${x.what}|${x.changes}`;
  // The two pages do not overlap: the first row of page 2 is older than the last of page 1.
  assert.notEqual(key(rows2[0]), key(rows1[49]));
});

test('the CSV export has a BOM, ";" separators, dd/mm/aaaa dates and the filters of the page', async () => {
  const r = await admin.request('/staff/admin/audit.csv?kind=signin.failure');
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.res.headers.get('content-disposition'), /attachment; filename="auditoria-\d{4}-\d{2}-\d{2}\.csv"/);
  const raw = Buffer.from(await (await s.fetch('/staff/admin/audit.csv', { headers: { Cookie: admin.cookieHeader() } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no UTF-8 BOM');
  const lines = r.body.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'Data;Pessoa;Endereço;Tipo;Objeto;Alterações');
  assert.ok(lines.length >= 3);
  for (const line of lines.slice(1)) {
    assert.match(line, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2};/, line);
    assert.match(line, /;Acesso falhou;/, `the kind filter was not applied: ${line}`);
  }
});

test('agents cannot open the audit log; retention is a setting', async () => {
  const agent = await createStaff(admin, { name: 'Davi Rocha', email: uniqueEmail('agente'), departments: [1] });
  assert.equal((await agent.client.get('/staff/admin/audit')).status, 404);
  assert.equal((await agent.client.get('/staff/admin/audit.csv')).status, 404);
  await admin.get('/staff/admin/audit');
  const r = await admin.post('/staff/admin/audit/keep', { keep_days: '90' });
  assert.equal(r.status, 303, describeResponse(r));
  const page = await admin.get('/staff/admin/audit');
  assert.match(page.body, /id="keep_days"[^>]*value="90"/);
  assert.ok(auditRows(page.body).some((x) => /Manter os registros por \(dias\):  → 90|Manter os registros por \(dias\): 365 → 90/.test(x.changes)));
  assert.equal((await admin.post('/staff/admin/audit/keep', { keep_days: '0' })).status, 400);
});

/** The CSV's lines (no BOM, no header) for a query. */
async function csvLines(query) {
  const r = await admin.request(`/staff/admin/audit.csv${query}`);
  assert.equal(r.status, 200, describeResponse(r));
  return r.body.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).slice(1);
}

test('API tokens: creating and revoking are recorded (never the token), and so is the rate limit', async () => {
  await admin.get('/staff/admin/tokens');
  const name = `Faturamento ${Date.now()}`;
  const made = await admin.post('/staff/admin/tokens', { name });
  assert.equal(made.status, 200, describeResponse(made));
  const token = /<code class="token">([^<]+)<\/code>/.exec(made.body)?.[1];
  assert.ok(token, 'the new token is not shown');
  const id = runSql(s, `SELECT id FROM api_tokens WHERE name = '${name}'`);
  const revoked = await admin.post(`/staff/admin/tokens/${id}/revoke`, {});
  assert.equal(revoked.status, 303, describeResponse(revoked));
  await admin.get('/staff/admin/tokens');
  const rate = await admin.post('/staff/admin/tokens/rate', { rate: '650' });
  assert.equal(rate.status, 303, describeResponse(rate));

  const rows = await audit('?kind=token.');
  const created = rows.find((x) => x.what === 'Token de API criado' && x.subject === name);
  assert.ok(created, `no record of the token created in ${JSON.stringify(rows.slice(0, 3), null, 1)}`);
  assert.equal(created.who, 'Ana Lima');
  assert.equal(created.ip, '127.0.0.1');
  assert.match(created.changes, new RegExp(`acts_as:  → ${STAFF.email.replace(/\./g, '\\.')}`));
  assert.match(created.changes, /state:  → active/);
  const gone = rows.find((x) => x.what === 'Token de API revogado' && x.subject === name);
  assert.ok(gone, 'no record of the token revoked');
  assert.match(gone.changes, /state: active → revoked/);
  assert.ok(rows.every((x) => x.what.startsWith('Token de API')), 'the kind filter let other records through');
  const settings = await audit('?kind=settings.');
  assert.ok(settings.some((x) => /Requisições por minuto por token: \d* → 650/.test(x.changes)),
    'no record of the rate limit change');

  const lines = await csvLines('?kind=token.');
  assert.ok(lines.some((l) => l.includes(';Token de API criado;') && l.includes(name)), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes(';Token de API revogado;') && /state: active → revoked/.test(l)), lines.join('\n'));
  const all = (await admin.request('/staff/admin/audit.csv')).body + (await admin.get('/staff/admin/audit')).body;
  assert.ok(!all.includes(token), 'the token itself is in the audit log');
});

test('webhooks: create, edit, "send again" and delete are recorded (never the secret), on the page and in the CSV', async () => {
  await admin.get('/staff/admin/webhooks');
  const url = `http://127.0.0.1:9/auditoria-${Date.now()}`;
  const made = await admin.post('/staff/admin/webhooks', { url, ticket_created: '1', active: '1' });
  assert.equal(made.status, 303, describeResponse(made));
  const id = /\/staff\/admin\/webhooks\/(\d+)$/.exec(made.location)[1];
  const page = await admin.get(made.location);
  const secret = /<code class="token" id="secret">([^<]+)<\/code>/.exec(page.body)?.[1];
  assert.ok(secret, 'the webhook page shows no secret');
  const edited = await admin.post(`/staff/admin/webhooks/${id}`, { url: `${url}/v2`, ticket_created: '1', staff_reply: '1' });
  assert.equal(edited.status, 303, describeResponse(edited));
  // A failed delivery to send again (the receiver does not exist).
  const now = Math.floor(Date.now() / 1000);
  runSql(s, `INSERT INTO webhook_deliveries (webhook_id, event, status, attempts, next_attempt_at, created_at) ` +
    `VALUES (${id}, 'ticket_created', 'failed', 10, ${now}, ${now})`);
  const delivery = runSql(s, `SELECT max(id) FROM webhook_deliveries WHERE webhook_id = ${id}`);
  await admin.get(`/staff/admin/webhooks/${id}`);
  const again = await admin.post(`/staff/admin/webhooks/${id}/deliveries/${delivery}/resend`, {});
  assert.equal(again.status, 303, describeResponse(again));
  const deleted = await admin.post(`/staff/admin/webhooks/${id}/delete`, {});
  assert.equal(deleted.status, 303, describeResponse(deleted));
  assert.equal((await admin.post(`/staff/admin/webhooks/${id}/delete`, {})).status, 404, 'a deleted webhook deleted again');

  const rows = await audit('?kind=webhook.');
  const find = (what) => rows.find((x) => x.what === what && x.subject.startsWith(url));
  const created = find('Webhook criado');
  assert.ok(created, `no record of the webhook created in ${JSON.stringify(rows.slice(0, 4), null, 1)}`);
  assert.equal(created.who, 'Ana Lima');
  assert.equal(created.ip, '127.0.0.1');
  assert.match(created.changes, /events:  → ticket_created/);
  assert.match(created.changes, /active:  → 1/);
  const changed = find('Webhook alterado');
  assert.ok(changed, 'no record of the webhook changed');
  assert.match(changed.changes, new RegExp(`url: ${url.replace(/[./]/g, '\\$&')} → ${url.replace(/[./]/g, '\\$&')}/v2`));
  assert.match(changed.changes, /events: ticket_created → ticket_created, staff_reply/);
  assert.match(changed.changes, /active: 1 → 0/);
  const resent = find('Entrega do webhook reenviada');
  assert.ok(resent, 'no record of "send again"');
  assert.match(resent.changes, new RegExp(`delivery: ${delivery}`));
  assert.match(resent.changes, /status: failed → queued/);
  assert.ok(find('Webhook excluído'), 'no record of the webhook deleted');

  const lines = await csvLines('?kind=webhook.');
  for (const what of ['Webhook criado', 'Webhook alterado', 'Entrega do webhook reenviada', 'Webhook excluído'])
    assert.ok(lines.some((l) => l.includes(`;${what};`) && l.includes(url)), `${what} is not in the CSV:\n${lines.join('\n')}`);
  const all = (await admin.request('/staff/admin/audit.csv')).body + (await admin.get('/staff/admin/audit')).body;
  assert.ok(!all.includes(secret), 'the webhook secret is in the audit log');
});
