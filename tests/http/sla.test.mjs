// SLAs over HTTP, as a support manager sets them up and an agent sees them:
// the admin's Horário de atendimento and Políticas de SLA pages (with their
// errors), then a ticket whose due time shows in the queue — on time, amber
// past 80% of the target, red once breached — the SLA filters and the sort
// by due time, and the pause while the ticket waits on the client.
//
// Time passes by starting a second server on the same database with the
// test-only CHAMADO_TEST_CLOCK_OFFSET (docs/sla.md): its pages read the
// clock that many seconds ahead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { mainText, pageText, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { queueRows, staffReply, uniqueWord } from '../lib/staff.mjs';

let s;
let admin;
let maria;
const later = [];

before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});

after(async () => {
  for (const x of later) await x.stop();
  if (s) await s.stop();
});

/** A server on the same database whose SLA clock runs `seconds` ahead. */
async function serverAhead(seconds) {
  const ahead = await startServer({ dataDir: s.dataDir, dbUrl: s.dbUrl, env: { CHAMADO_TEST_CLOCK_OFFSET: String(seconds) } });
  later.push(ahead);
  return signIn(ahead, STAFF.email, STAFF.password, { staff: true });
}

/** The SLA cell of a ticket's row: {cls, text}. */
function slaOf(html, number) {
  const table = /<table class="data queue-table">[\s\S]*?<\/table>/.exec(html)?.[0] || '';
  const row = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]).find((r) => r.includes(`/staff/tickets/${number}"`));
  if (!row) return null;
  const m = /<span class="sla (sla-[a-z]+)"[^>]*>([^<]*)<\/span>/.exec(row);
  return m ? { cls: m[1], text: pageText(m[2]) } : { cls: null, text: '' };
}

let plantao; // the 24/7 calendar's id

test('the admin creates a 24×7 calendar and sees the default one with Brazil\'s holidays', async () => {
  let r = await admin.get('/staff/admin/hours');
  assert.equal(r.status, 200, describeResponse(r));
  assert.match(mainText(r.body), /Horário de atendimento/);
  const first = /href="\/staff\/admin\/hours\/(\d+)"/.exec(r.body)[1];
  r = await admin.get(`/staff/admin/hours/${first}`);
  assert.equal(r.status, 200);
  const year = new Date().getUTCFullYear();
  assert.match(r.body, new RegExp(`25/12/${year} Natal`), 'Christmas is pre-filled');
  assert.match(r.body, new RegExp(`21/04/${year + 1} Tiradentes`), 'and next year\'s holidays too');
  assert.match(r.body, /value="08:00-12:00, 13:00-18:00"/);

  r = await admin.post('/staff/admin/hours', { name: 'Plantão', timezone: 'America/Sao_Paulo', always_open: '1', holidays: '' });
  assert.equal(r.status, 303, describeResponse(r));
  r = await admin.get('/staff/admin/hours');
  plantao = /href="\/staff\/admin\/hours\/(\d+)"><strong>Plantão<\/strong>/.exec(r.body)?.[1];
  assert.ok(plantao, 'the new calendar is listed');
  assert.match(mainText(r.body), /Plantão America\/Sao_Paulo 24×7/);
});

test('a calendar with malformed hours, zone or holidays is refused with the reason under each field', async () => {
  const r = await admin.post('/staff/admin/hours', {
    name: 'Errado', timezone: 'Marte/Olympus', hours_1: '8h-12h', hours_2: '08:00-12:30, 12:00-13:00', holidays: '31/02/2027 Nunca',
  });
  assert.equal(r.status, 422);
  const text = mainText(r.body);
  assert.match(text, /Escolha um fuso horário da base tz/);
  assert.match(text, /Escreva os horários como 08:00-12:00/);
  assert.match(text, /Escreva um feriado por linha/);
  assert.match(r.body, /value="8h-12h"/, 'what was typed stays');
});

test('policies need both targets, in minutes, and the first response before the resolution', async () => {
  let r = await admin.post('/staff/admin/sla', { first_1_high: '30', res_1_high: '' });
  assert.equal(r.status, 422);
  assert.match(mainText(r.body), /Defina as duas metas, ou deixe as duas vazias/);
  r = await admin.post('/staff/admin/sla', { first_1_high: '500', res_1_high: '60' });
  assert.equal(r.status, 422);
  assert.match(mainText(r.body), /A primeira resposta não pode vencer depois da resolução/);
  r = await admin.post('/staff/admin/sla', { first_1_high: 'uma hora', res_1_high: '60' });
  assert.equal(r.status, 422);
  assert.match(mainText(r.body), /Escreva minutos inteiros/);
});

test('a ticket shows its due time in the queue, turns amber near it and red once breached', async () => {
  let r = await admin.post('/staff/admin/sla', {
    cal_1: plantao, first_1_high: '30', res_1_high: '240', first_1_medium: '120', res_1_medium: '480',
  });
  assert.equal(r.status, 303, describeResponse(r));
  r = await admin.get('/staff/admin/sla');
  assert.match(r.body, /name="first_1_high" type="text" inputmode="numeric" size="6" value="30"/);
  assert.match(r.body, new RegExp(`<option value="${plantao}" selected>Plantão</option>`));

  const subject = uniqueWord('SLA');
  const t = await openTicket(maria, { department: 1, priority: 'high', subject });
  assert.equal(t.status, 303);
  const slow = await openTicket(maria, { department: 1, priority: 'medium', subject: uniqueWord('SLA') });

  r = await admin.get('/staff/tickets');
  const now = slaOf(r.body, t.number);
  assert.equal(now.cls, 'sla-ok');
  assert.match(now.text, /^vence em (29|30) min úteis$/);
  assert.match(slaOf(r.body, slow.number).text, /^vence em (1 h 59 min|2 h) úteis$/);

  const amber = await serverAhead(26 * 60); // 80% of 30 min is 24
  r = await amber.get('/staff/tickets');
  assert.equal(slaOf(r.body, t.number).cls, 'sla-near');
  r = await amber.get('/staff/tickets?sla=near');
  assert.deepEqual(queueRows(r.body).map((x) => x.number), [t.number], 'SLA vencendo lists it alone');

  const red = await serverAhead(90 * 60);
  r = await red.get('/staff/tickets');
  const breached = slaOf(r.body, t.number);
  assert.equal(breached.cls, 'sla-breached');
  assert.match(breached.text, /^vencido há 1 h( 1)? min úteis$|^vencido há 1 h úteis$/);
  assert.equal(slaOf(r.body, slow.number).cls, 'sla-ok');
  r = await red.get('/staff/tickets?sla=breached');
  assert.deepEqual(queueRows(r.body).map((x) => x.number), [t.number], 'SLA vencido lists it alone');
  r = await red.get(`/staff/tickets/${t.number}`);
  assert.match(r.body, /<span class="sla sla-breached"[^>]*>vencido há/);
});

test('sorting by due time puts the nearest first; a staff reply pauses the clock', async () => {
  const late = await openTicket(maria, { department: 1, priority: 'medium', subject: uniqueWord('SLA') });
  const soon = await openTicket(maria, { department: 1, priority: 'high', subject: uniqueWord('SLA') });
  let r = await admin.get('/staff/tickets?sort=due&department=1');
  const order = queueRows(r.body).map((x) => x.number);
  assert.ok(order.indexOf(soon.number) < order.indexOf(late.number), `high (30 min) before medium (2 h): ${order}`);
  assert.match(r.body, /<option value="due" selected>/);

  await staffReply(admin, soon.number, 'Estamos verificando.');
  r = await admin.get(`/staff/tickets/${soon.number}`);
  assert.match(r.body, /<span class="sla sla-paused"[^>]*>pausado: aguardando o cliente<\/span>/);
  r = await admin.get('/staff/tickets?sort=due&department=1');
  assert.ok(!queueRows(r.body).some((x) => x.number === soon.number), 'a paused clock has no due time to sort by');
  assert.equal(slaOf((await admin.get('/staff/tickets')).body, soon.number).cls, null);
});

test('agents cannot open the SLA admin pages', async () => {
  const anon = await signIn(s, CLIENT.email, CLIENT.password);
  const r = await anon.get('/staff/admin/sla');
  assert.equal(r.status, 303);
});
