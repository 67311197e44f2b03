// The staff's ticket search (issue 16), through the real binary on SQLite
// and on PostgreSQL: the queue's search box finds a ticket by a word of a
// reply or of an internal note, by a spelling without accents or capitals,
// by the client's email and by the ticket's number; an agent never finds a
// ticket of a department they do not work in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runSql, removeDir } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { addUser, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { uniqueWord, createStaff, queueNumbers, staffReply, staffNote } from '../lib/staff.mjs';
import { makeToken, api, describeApi } from '../lib/api.mjs';

let s;
let admin;
let maria;
let agentSupport; // Suporte Técnico (1)
let agentBilling; // Financeiro (2)

const ALL = 'status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed';

before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  agentSupport = (await createStaff(admin, { name: 'Agente Suporte', email: 'busca.suporte@exemplo.com.br', departments: [1] })).client;
  agentBilling = (await createStaff(admin, { name: 'Agente Financeiro', email: 'busca.financeiro@exemplo.com.br', departments: [2] })).client;
});

after(async () => {
  if (s) await s.stop();
});

/** The numbers the queue lists for q (every status) as staff c. */
async function search(c, q) {
  const r = await c.get(`/staff/tickets?q=${encodeURIComponent(q)}&${ALL}`);
  assert.equal(r.status, 200, describeResponse(r));
  return queueNumbers(r.body);
}

async function open(client, options) {
  const t = await openTicket(client, options);
  assert.equal(t.status, 303, describeResponse(t));
  return t.number;
}

test('a word that only a staff reply holds finds the ticket', async () => {
  const word = uniqueWord('RESP');
  const n = await open(maria, { subject: 'Site lento' });
  assert.deepEqual(await search(admin, word), [], 'found before the reply was written');
  const r = await staffReply(admin, n, `Aumentamos o limite de memória (${word}).`);
  assert.equal(r.status, 303, describeResponse(r));
  assert.deepEqual(await search(admin, word), [n]);
});

test('a word of an internal note finds the ticket for staff', async () => {
  const word = uniqueWord('NOTA');
  const n = await open(maria, { subject: 'Cobrança em dobro' });
  assert.equal((await staffNote(admin, n, `Conferir com o banco: ${word}`)).status, 303);
  assert.deepEqual(await search(admin, word.toLowerCase()), [n]);
});

test('a spelling without accents or capitals finds the accented word, and the other way round', async () => {
  const tail = uniqueWord('').toLowerCase();
  const n = await open(maria, { subject: `Configuração do número ${tail}`, message: `A AÇÃO${tail} falhou.` });
  assert.deepEqual(await search(admin, `numero ${tail}`), [n], '"numero" does not find "número"');
  assert.deepEqual(await search(admin, `acao${tail}`), [n], '"acao…" does not find "AÇÃO…"');
  assert.deepEqual(await search(admin, `CONFIGURACAO ${tail}`), [n]);
  assert.deepEqual(await search(admin, `Ação${tail}`), [n], 'the accented spelling itself');
  assert.deepEqual(await search(admin, `configuracao ${tail} inexistente${tail}`), [], 'every word must match');
});

test('the client\'s email and name find their tickets', async () => {
  const email = `busca.${uniqueWord('').toLowerCase()}@cliente.example`;
  const name = `Joaquim ${uniqueWord('Sobrenome')}`;
  await addUser(s, { email, name, password: 'senha-cliente-1' });
  const joaquim = await signIn(s, email, 'senha-cliente-1');
  const a = await open(joaquim, { subject: 'Primeiro' });
  const b = await open(joaquim, { subject: 'Segundo' });
  assert.deepEqual((await search(admin, email)).sort(), [a, b].sort());
  assert.deepEqual((await search(admin, name.split(' ')[1])).sort(), [a, b].sort());
});

test('the ticket number finds that ticket, with or without "#"', async () => {
  const n = await open(maria, { subject: 'Pelo número' });
  assert.deepEqual(await search(admin, n), [n]);
  assert.deepEqual(await search(admin, `#${n}`), [n]);
});

test('an agent never finds a ticket of a department they lack, by any word or its number', async () => {
  const word = uniqueWord('DEPTO');
  const support = await open(maria, { department: 1, subject: `Suporte ${word}` });
  const billing = await open(maria, { department: 2, subject: `Financeiro ${word}` });
  assert.deepEqual((await search(admin, word)).sort(), [support, billing].sort());
  assert.deepEqual(await search(agentSupport, word), [support]);
  assert.deepEqual(await search(agentBilling, word), [billing]);
  assert.deepEqual(await search(agentBilling, support), [], 'by number');
  assert.deepEqual((await search(agentBilling, CLIENT.email)).filter((x) => x === support), [], 'by the client\'s email');
});

test('the API\'s search finds free words through the same index: a reply\'s word, unaccented', async () => {
  const tail = uniqueWord('').toLowerCase();
  const n = await open(maria, { subject: 'Pela API' });
  assert.equal((await staffReply(admin, n, `Migração${tail} agendada.`)).status, 303);
  const auth = { token: await makeToken(s, STAFF.email), email: STAFF.email };
  const r = await api(s, auth, 'GET', `/api/v2/search.json?query=${encodeURIComponent(`type:ticket migracao${tail}`)}`);
  assert.equal(r.status, 200, describeApi(r));
  assert.equal(r.json.count, 1, describeApi(r));
  const page = await admin.get(`/staff/tickets/${n}`);
  assert.ok(page.body.includes(r.json.results[0].subject), 'the result is another ticket');
});

test('a ticket\'s tags and custom field values find it, and a removed tag no longer does', async () => {
  const auth = { token: await makeToken(s, STAFF.email, 'Busca tags'), email: STAFF.email };
  const fields = await api(s, auth, 'GET', '/api/v2/ticket_fields.json');
  assert.equal(fields.status, 200, describeApi(fields));
  const field = fields.json.ticket_fields.find((f) => f.type === 'text');
  assert.ok(field, 'the demo has a text field');
  const tag = uniqueWord('etiqueta').toLowerCase();
  const domain = `${uniqueWord('dominio').toLowerCase()}.com.br`;
  const created = await api(s, auth, 'POST', '/api/v2/tickets.json', { ticket: {
    subject: 'Sem palavras em comum', comment: { body: 'Nada aqui.' }, group_id: 1,
    requester: { email: CLIENT.email }, tags: [tag],
  } });
  assert.equal(created.status, 201, describeApi(created));
  const { id } = created.json.ticket;
  const n = String(created.json.ticket.number);
  assert.deepEqual(await search(admin, tag), [n], 'by its tag');
  const put = await api(s, auth, 'PUT', `/api/v2/tickets/${id}.json`, { ticket: {
    remove_tags: [tag], custom_fields: [{ id: field.id, value: domain }],
  } });
  assert.equal(put.status, 200, describeApi(put));
  assert.deepEqual(await search(admin, tag), [], 'the removed tag no longer finds it');
  assert.deepEqual(await search(admin, domain), [n], 'by a custom field value');
});

test('tickets written before the search index existed are indexed when the server starts again', async () => {
  const first = await startServer({ demo: true });
  const dataDir = first.dataDir, dbUrl = first.dbUrl;
  let again;
  try {
    const m = await signIn(first, CLIENT.email, CLIENT.password);
    const word = uniqueWord('ANTIGO');
    const n = await open(m, { subject: `Chamado antigo ${word}` });
    // As a database migrated to 0020 finds it: an empty index, and the
    // request to fill it that the migration leaves.
    await first.stop({ keepDataDir: true });
    runSql(dataDir, 'DELETE FROM ticket_search');
    runSql(dataDir, "INSERT INTO settings (key, value) VALUES ('ticket_search_backfill', '1')");
    again = await startServer({ demo: true, dataDir, dbUrl });
    const a = await signIn(again, STAFF.email, STAFF.password, { staff: true });
    assert.deepEqual(await search(a, word), [n]);
    assert.equal(runSql(dataDir, "SELECT count(*) FROM settings WHERE key = 'ticket_search_backfill'"), '0');
  } finally {
    if (again) await again.stop();
    else await first.stop();
    removeDir(dataDir);
  }
});
