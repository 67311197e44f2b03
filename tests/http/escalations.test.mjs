// Escalations over HTTP, as a support manager sets them up (Escalonamentos,
// under the SLA pages) and the team lives them: an admin writes the rule
// "resolution breached → email the department, raise the priority one step,
// add an internal note"; a ticket passes its resolution due time; the
// maintenance job fires the rule once — each member of the department gets
// exactly one email at the real SMTP sink, the priority goes up one step,
// the note and the audit entry are on the ticket — and later passes fire
// nothing more. Also: the form's errors, switching a rule off and on,
// deleting one, the admin audit log, and agents kept out.
//
// Time passes by starting a second server on the same database with the
// test-only CHAMADO_TEST_CLOCK_OFFSET (docs/sla.md) and a maintenance pass
// every second: its escalations read the SLA clock two hours ahead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitFor } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { mainText, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { createStaff, events, messages, ticketMeta, uniqueWord } from '../lib/staff.mjs';
import { startSmtpSink } from '../lib/smtp-sink.mjs';

let sink;
let s;
let ahead;
let admin;
let maria;
let agent;

const RULE = 'Resolução vencida no Financeiro';
const NOTE = 'Escalonado: o prazo de resolução venceu. Priorizar este ticket.';

before(async () => {
  sink = await startSmtpSink();
  s = await startServer({ demo: true, env: { CHAMADO_SMTP_URL: sink.url, CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  // Financeiro (department 2): the demo admin Ana Lima and this agent.
  agent = await createStaff(admin, { name: 'Bruno Costa', email: `bruno.${uniqueWord('e').toLowerCase()}@exemplo.com.br`, departments: [2] });

  // A 24×7 calendar for Financeiro, low priority: first response 30 min, resolution 60.
  let r = await admin.post('/staff/admin/hours', { name: 'Plantão', timezone: 'America/Sao_Paulo', always_open: '1', holidays: '' });
  assert.equal(r.status, 303, describeResponse(r));
  r = await admin.get('/staff/admin/hours');
  const plantao = /href="\/staff\/admin\/hours\/(\d+)"><strong>Plantão<\/strong>/.exec(r.body)[1];
  r = await admin.post('/staff/admin/sla', { cal_2: plantao, first_2_low: '30', res_2_low: '60' });
  assert.equal(r.status, 303, describeResponse(r));
});

after(async () => {
  if (ahead) await ahead.stop();
  if (s) await s.stop();
  if (sink) await sink.close();
});

const escalationMails = (to) => sink.messagesTo(to).filter((m) => /Escalonamento/.test(m.subject));

test('an agent does not see Escalonamentos; the admin finds it from the SLA page', async () => {
  let r = await agent.client.get('/staff/admin/escalations');
  assert.equal(r.status, 404);
  r = await admin.get('/staff/admin/sla');
  assert.match(r.body, /href="\/staff\/admin\/escalations"/);
  r = await admin.get('/staff/admin/escalations');
  assert.equal(r.status, 200, describeResponse(r));
  assert.match(mainText(r.body), /Escalonamentos .*Ainda não há regras de escalonamento/);
});

test('a rule without an action, or without its minutes, is refused with the reasons and the typed values', async () => {
  let r = await admin.get('/staff/admin/escalations/new');
  assert.equal(r.status, 200);
  assert.match(r.body, /<label for="condition">Condição/);
  r = await admin.post('/staff/admin/escalations', { name: 'Quase vencendo', condition: 'resolve_soon', minutes: '', department: '0', priority: '' });
  assert.equal(r.status, 422, describeResponse(r));
  const text = mainText(r.body);
  assert.match(text, /Escolha pelo menos uma ação\./);
  assert.match(text, /Escreva os minutos como um número inteiro de 1 a 100000\./);
  assert.match(r.body, /value="Quase vencendo"/, 'the typed name is kept');
  assert.match(r.body, /<option value="resolve_soon" selected>/);
});

let ruleId;

test('the admin creates "resolution breached → email the department + raise priority + note", and it is audited', async () => {
  const r = await admin.post('/staff/admin/escalations', {
    name: RULE, enabled: '1', condition: 'resolve_breached', minutes: '', department: '2', priority: '',
    notify_department: '1', notify_staff: '0', raise_priority: 'step', move_department: '0', assign_staff: '0', note: NOTE,
  });
  assert.equal(r.status, 303, describeResponse(r));
  const list = await admin.get('/staff/admin/escalations');
  ruleId = /href="\/staff\/admin\/escalations\/(\d+)"><strong>Resolução vencida no Financeiro</.exec(list.body)?.[1];
  assert.ok(ruleId, 'the rule is listed');
  const text = mainText(list.body);
  assert.match(text, /Resolução vencida no Financeiro Resolução vencida Financeiro Qualquer prioridade/);
  assert.match(text, /Enviar email à equipe do departamento Subir a prioridade um nível Adicionar uma nota interna Ativa/);
  const audit = await admin.get('/staff/admin/audit?kind=escalation.');
  assert.match(mainText(audit.body), /Regra de escalonamento criada/);
  assert.match(audit.body, /raise_priority: +→ step/);
});

test('a ticket past its resolution due time is escalated once: one email per member, priority up one step, the note and the audit entry', async () => {
  const subject = `Boleto em dobro ${uniqueWord('E')}`;
  const t = await openTicket(maria, { department: 2, priority: 'low', subject });
  assert.equal(t.status, 303, describeResponse(t));
  let page = await admin.get(`/staff/tickets/${t.number}`);
  assert.equal(ticketMeta(page.body).priority, 'low');
  assert.ok(!events(page.body).some((e) => e.startsWith('Escalonamento')), 'not escalated before its due time');

  // Two hours later, by the SLA clock, with a maintenance pass every second.
  ahead = await startServer({
    dataDir: s.dataDir, dbUrl: s.dbUrl,
    env: { CHAMADO_TEST_CLOCK_OFFSET: String(2 * 3600), CHAMADO_MAINTENANCE_INTERVAL: '1', CHAMADO_SMTP_URL: sink.url, CHAMADO_MAIL_POLL_MS: '100' },
  });
  await waitFor(async () => events((await admin.get(`/staff/tickets/${t.number}`)).body).includes(`Escalonamento: ${RULE}`),
    { timeoutMs: 30000, intervalMs: 200, message: `#${t.number} to be escalated` });

  page = await admin.get(`/staff/tickets/${t.number}`);
  const meta = ticketMeta(page.body);
  assert.equal(meta.priority, 'medium', 'raised one step, from Baixa to Média');
  const ev = events(page.body);
  assert.equal(ev.filter((e) => e === `Escalonamento: ${RULE}`).length, 1);
  assert.ok(ev.includes('O sistema mudou a prioridade de Baixa para Média'), `events: ${ev.join(' | ')}`);
  const note = messages(page.body).at(-1);
  assert.ok(note.internal, 'the note is internal');
  assert.equal(note.text, NOTE);
  const client = await maria.get(`/tickets/${t.number}`);
  assert.ok(!mainText(client.body).includes(NOTE), 'the client never sees the note');

  for (const to of [STAFF.email, agent.email]) {
    await waitFor(() => escalationMails(to).length >= 1,
      { timeoutMs: 30000, intervalMs: 100, message: `the escalation email to ${to}` });
    const [m] = escalationMails(to);
    assert.match(m.subject, new RegExp(`\\[Ticket ID: ${t.number}\\] Escalonamento: ${RULE} — ${subject}`));
    assert.match(m.text, /A regra de escalonamento "Resolução vencida no Financeiro" agiu neste ticket em Financeiro \(prioridade: Média\)/);
    assert.match(m.text, new RegExp(`/staff/tickets/${t.number}`));
  }
  assert.equal(escalationMails(CLIENT.email).length, 0, 'the client is not told');

  // Later passes: a second ticket breaches and is escalated after the first,
  // so the job has run again since — and the first was left alone.
  const second = await openTicket(maria, { department: 2, priority: 'low', subject: `Segunda via ${uniqueWord('E')}` });
  await waitFor(async () => events((await admin.get(`/staff/tickets/${second.number}`)).body).includes(`Escalonamento: ${RULE}`),
    { timeoutMs: 30000, intervalMs: 200, message: `#${second.number} to be escalated` });
  await waitFor(() => escalationMails(agent.email).length >= 2, { timeoutMs: 30000, intervalMs: 100, message: 'the second escalation email' });
  page = await admin.get(`/staff/tickets/${t.number}`);
  assert.equal(ticketMeta(page.body).priority, 'medium', 'not raised a second time');
  assert.equal(events(page.body).filter((e) => e.startsWith('Escalonamento')).length, 1);
  assert.equal(messages(page.body).filter((m) => m.text === NOTE).length, 1);
  for (const to of [STAFF.email, agent.email]) {
    assert.equal(escalationMails(to).filter((m) => m.subject.includes(`[Ticket ID: ${t.number}]`)).length, 1,
      `exactly one escalation email about #${t.number} to ${to}`);
  }
  const list = await admin.get('/staff/admin/escalations');
  assert.match(mainText(list.body), /Tickets escalonados: 2/);
});

test('a rule switched off fires on nothing; switched on, it lists as active again; a deleted rule is gone and audited', async () => {
  let r = await admin.post(`/staff/admin/escalations/${ruleId}/enabled`, { enabled: '0' });
  assert.equal(r.status, 303, describeResponse(r));
  const off = await openTicket(maria, { department: 2, priority: 'low', subject: `Desligada ${uniqueWord('E')}` });
  let list = await admin.get('/staff/admin/escalations');
  assert.match(mainText(list.body), new RegExp(`${RULE} .*Desativada`));
  // The ahead server's passes run every second: a later rule's firing shows they ran.
  r = await admin.post('/staff/admin/escalations', {
    name: 'Sentinela', enabled: '1', condition: 'first_breached', department: '2', notify_staff: String(agent.id ?? 0), note: 'Sentinela.',
  });
  assert.equal(r.status, 303, describeResponse(r));
  await waitFor(async () => events((await admin.get(`/staff/tickets/${off.number}`)).body).includes('Escalonamento: Sentinela'),
    { timeoutMs: 30000, intervalMs: 200, message: 'the sentinel rule to fire' });
  const ev = events((await admin.get(`/staff/tickets/${off.number}`)).body);
  assert.ok(!ev.includes(`Escalonamento: ${RULE}`), 'the disabled rule did not fire');

  r = await admin.post(`/staff/admin/escalations/${ruleId}/enabled`, { enabled: '1' });
  assert.equal(r.status, 303);
  list = await admin.get('/staff/admin/escalations');
  const sentinel = /href="\/staff\/admin\/escalations\/(\d+)"><strong>Sentinela</.exec(list.body)[1];
  r = await admin.post(`/staff/admin/escalations/${sentinel}/delete`, {});
  assert.equal(r.status, 303, describeResponse(r));
  list = await admin.get('/staff/admin/escalations');
  assert.ok(!mainText(list.body).includes('Sentinela'));
  assert.match(mainText(list.body), new RegExp(`${RULE} .*Ativa`));
  const audit = mainText((await admin.get('/staff/admin/audit?kind=escalation.')).body);
  assert.match(audit, /Regra de escalonamento excluída/);
  assert.match(audit, /Regra de escalonamento alterada/);
});
