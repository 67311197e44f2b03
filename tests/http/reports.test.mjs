// Relatórios over HTTP against a small fixture counted by hand: in
// Suporte Técnico (24×7 calendar, high priority: first response 60 min,
// resolution 240 min) ticket A is answered, closed and rated Bom; ticket B
// is answered and left waiting; in Financeiro ticket C is left open. So the
// period shows 3 opened, 1 closed, 2 in the backlog, first-response SLA met
// 2 of 2, resolution 1 of 1, CSAT 100% of 1. The CSV exports open in Excel
// pt-BR: UTF-8 with a BOM, ';' between fields, dates dd/mm/aaaa. An agent
// sees only their own line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { mainText, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket, waitForMail, mailFiles } from '../lib/fixtures.mjs';
import { staffUpdate, staffReply, createStaff, uniqueWord } from '../lib/staff.mjs';

let s;
let admin;
let maria;
let agent;
const numbers = {};

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  await admin.get('/staff/admin/hours'); // the session's CSRF token
  let r = await admin.post('/staff/admin/hours', { name: 'Plantão', timezone: 'America/Sao_Paulo', always_open: '1', holidays: '' });
  assert.equal(r.status, 303);
  r = await admin.get('/staff/admin/hours');
  const plantao = /href="\/staff\/admin\/hours\/(\d+)"><strong>Plantão/.exec(r.body)[1];
  r = await admin.post('/staff/admin/sla', { cal_1: plantao, first_1_high: '60', res_1_high: '240', csat_trigger: 'close', csat_notify_bad: '1' });
  assert.equal(r.status, 303, describeResponse(r));
  agent = await createStaff(admin, { name: 'Bruno Costa', email: 'bruno.costa@exemplo.com.br', departments: [2] });

  numbers.a = (await openTicket(maria, { department: 1, priority: 'high', subject: uniqueWord('REL') })).number;
  numbers.b = (await openTicket(maria, { department: 1, priority: 'high', subject: uniqueWord('REL') })).number;
  numbers.c = (await openTicket(maria, { department: 2, priority: 'medium', subject: uniqueWord('REL') })).number;
  await staffReply(admin, numbers.a, 'Feito.');
  await staffReply(admin, numbers.b, 'Pode confirmar?');
  await staffUpdate(admin, numbers.a, { status: 'closed' });
  const [survey] = await waitForMail(s.dataDir, (m) => m.subject.includes(numbers.a) && /avalia/.test(m.subject), { what: 'the survey' });
  const good = new URL(survey.links.find((l) => /\/good$/.test(l))).pathname;
  r = await new Client(s).get(good);
  assert.equal(r.status, 200);
});

after(async () => {
  if (s) await s.stop();
});

/** The cells of the table row whose first cell is `name`, under the heading id. */
function rowOf(html, sectionId, name) {
  const section = new RegExp(`id="${sectionId}"[\\s\\S]*?</table>`).exec(html)?.[0] || '';
  const row = [...section.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]).find((r) => r.includes(`>${name}<`));
  assert.ok(row, `a row for ${name} under #${sectionId}`);
  return [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => mainText(m[1]));
}

async function csv(c, path) {
  const res = await s.fetch(path, { headers: { Cookie: c.cookieHeader() } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes,
    lines: bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).map((l) => l.split(';')) };
}

test('the period\'s numbers match the fixture counted by hand', async () => {
  const r = await admin.get('/staff/reports');
  assert.equal(r.status, 200, describeResponse(r));
  const text = mainText(r.body);
  assert.match(text, /Abertos 3 Fechados 1 Pendentes no fim 2/);
  assert.match(text, /SLA de resolução cumprido 100,0%/);
  assert.match(text, /Satisfação \(CSAT\) 100,0% \(1\)/);
  assert.deepEqual(rowOf(r.body, 'deps-title', 'Suporte Técnico').slice(0, 4), ['Suporte Técnico', '2', '1', '1']);
  assert.equal(rowOf(r.body, 'deps-title', 'Suporte Técnico')[6], '100,0% / 100,0%');
  assert.deepEqual(rowOf(r.body, 'deps-title', 'Financeiro').slice(0, 4), ['Financeiro', '1', '0', '1']);
  assert.equal(rowOf(r.body, 'deps-title', 'Financeiro')[6], '— / —', 'no targets there');
  const ana = rowOf(r.body, 'agents-title', 'Ana Lima');
  assert.equal(ana[1], '1', 'Ana closed one');
  assert.equal(ana[5], '100,0% (1)');
  assert.match(r.body, /<svg class="rchart rdays"[^>]*role="img"/);
  assert.match(r.body, /<svg class="rchart rheat"/);
});

test('each table exports as a CSV Excel pt-BR opens: BOM, semicolons, dd/mm/aaaa', async () => {
  const deps = await csv(admin, '/staff/reports/departments.csv');
  assert.equal(deps.status, 200);
  assert.equal(deps.type, 'text/csv; charset=utf-8');
  assert.deepEqual([...deps.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  assert.match(deps.disposition, /attachment; filename="departamentos-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.deepEqual(deps.lines[0].slice(0, 4), ['Departamento', 'Abertos', 'Fechados', 'Pendentes no fim']);
  assert.equal(deps.lines[0].length, 12);
  const st = deps.lines.find((l) => l[0] === 'Suporte Técnico');
  assert.deepEqual(st.slice(0, 4), ['Suporte Técnico', '2', '1', '1']);
  assert.deepEqual(st.slice(8), ['100,0%', '100,0%', '100,0%', '1']);

  const agents = await csv(admin, '/staff/reports/agents.csv');
  assert.deepEqual(agents.lines[0].slice(0, 2), ['Atendente', 'Fechados']);

  const hours = await csv(admin, '/staff/reports/hours.csv');
  assert.equal(hours.lines.length, 8, 'a header and seven weekdays');
  assert.equal(hours.lines[0].length, 25);
  const opened = hours.lines.slice(1).reduce((n, l) => n + l.slice(1).reduce((m, v) => m + Number(v), 0), 0);
  assert.equal(opened, 3);

  const tickets = await csv(admin, '/staff/reports/tickets.csv');
  assert.deepEqual(tickets.lines[0].slice(0, 3), ['Ticket', 'Aberto em', 'Assunto']);
  assert.equal(tickets.lines.length, 4);
  const a = tickets.lines.find((l) => l[0] === numbers.a);
  assert.match(a[1], /^\d{2}\/\d{2}\/\d{4}$/);
  assert.equal(a[5], 'Fechado');
  assert.deepEqual(a.slice(10), ['sim', 'sim', 'Bom']);
});

test('an agent sees only their own line, and a bad period is refused', async () => {
  await staffReply(agent.client, numbers.c, 'Olá, sou do financeiro.');
  const r = await agent.client.get('/staff/reports');
  assert.equal(r.status, 200);
  assert.match(mainText(r.body), /Só os seus números/);
  assert.ok(!r.body.includes('id="deps-title"'), 'no department table');
  assert.ok(!r.body.includes('Ana Lima'), 'no one else');
  assert.equal(rowOf(r.body, 'agents-title', 'Bruno Costa')[0], 'Bruno Costa');
  assert.equal((await csv(agent.client, '/staff/reports/departments.csv')).status, 404);
  assert.equal((await admin.get('/staff/reports?from=2026-13-01')).status, 400);
  assert.equal((await admin.get('/staff/reports?from=2026-02-01&to=2026-01-01')).status, 400);
});
