// Who may act on which ticket in the staff panel, as a matrix: an agent of
// Suporte Técnico (A) against a ticket of Financeiro (B) and the other way
// round, for the queue and counts, the ticket page, reply, note, changes,
// merge and attachment downloads — each refused like a ticket that does not
// exist (404) and leaving the ticket untouched; the same actions on their own
// department's ticket work. An admin acts on both; a client session and a
// signed-out browser are sent to the staff sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, sleep } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { addUser, describeResponse } from '../lib/accounts.mjs';
import { file, postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF, PNG, PNG2, openTicket, mailFiles } from '../lib/fixtures.mjs';
import {
  uniqueWord, createStaff, queueNumbers, ticketMeta, messages, events, formInput, dashboardCounts,
  staffReply, staffNote, staffUpdate, staffMerge,
} from '../lib/staff.mjs';

let s;
let admin;
let maria;
let agentA; // {client, ...} member of Suporte Técnico (1)
let agentB; // member of Financeiro (2)
const T = {}; // A and B: {number, attachment: {id, url}} ; A2, B2 spare tickets for merges

const ALL_STATUSES = 'status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed';

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  agentA = await createStaff(admin, { name: 'Agente Suporte', email: 'agente.suporte@exemplo.com.br', departments: [1] });
  agentB = await createStaff(admin, { name: 'Agente Financeiro', email: 'agente.financeiro@exemplo.com.br', departments: [2] });
  for (const [k, department, img] of [['A', 1, PNG], ['B', 2, PNG2], ['A2', 1, PNG], ['B2', 2, PNG2]]) {
    const t = await openTicket(maria, { department, subject: `Permissão ${k} ${uniqueWord('P')}`, message: `Mensagem ${k}`,
      files: [file(`anexo-${k}.png`, img, { type: 'image/png' })] });
    assert.equal(t.status, 303, describeResponse(t));
    const page = await admin.get(`/staff/tickets/${t.number}`);
    const att = messages(page.body)[0].attachments[0];
    T[k] = { number: t.number, attachment: att };
  }
});

after(async () => {
  if (s) await s.stop();
});

/** What the admin sees of a ticket: status, priority, message count, event count. */
async function snapshot(number) {
  const page = await admin.get(`/staff/tickets/${number}`);
  assert.equal(page.status, 200);
  const m = ticketMeta(page.body);
  return { status: m.status, priority: m.priority, messages: messages(page.body).length, events: events(page.body).length };
}

/** Every staff action on `number`, as `c`; returns [[name, status]]. */
async function everyAction(c, number, attachment, other) {
  const out = [];
  const w = uniqueWord('X');
  out.push(['view', (await c.get(`/staff/tickets/${number}`)).status]);
  out.push(['view with ?predefined=1', (await c.get(`/staff/tickets/${number}?predefined=1`)).status]);
  if (!c.csrf) await c.get('/staff');
  out.push(['reply', (await postMultipart(c, `/staff/tickets/${number}/reply`, { submission: `s${w}`.padEnd(43, 'a'), seen: '0', message: `resposta ${w}` })).status]);
  out.push(['reply with confirm=1', (await postMultipart(c, `/staff/tickets/${number}/reply`, { submission: `c${w}`.padEnd(43, 'a'), seen: '0', message: `resposta ${w}`, confirm: '1' })).status]);
  out.push(['note', (await postMultipart(c, `/staff/tickets/${number}/note`, { submission: `n${w}`.padEnd(43, 'a'), message: `nota ${w}` })).status]);
  out.push(['update', (await c.post(`/staff/tickets/${number}/update`, { status: 'on-hold', priority: 'high', department: '1', assignee: '0' })).status]);
  out.push(['merge (as source)', (await staffMerge(c, number, other)).status]);
  out.push(['attachment download', (await c.get(attachment.url)).status]);
  out.push(['attachment inline', (await c.get(`${attachment.url}?inline=1`)).status]);
  out.word = w;
  return out;
}

function assertAll(results, expected, who) {
  const wrong = results.filter(([, st]) => st !== expected);
  assert.deepEqual(wrong, [], `${who}: expected ${expected} for every action; got ${results.map(([n, st]) => `${n} ${st}`).join(', ')}`);
}

// ---- the queue and the counts --------------------------------------------------------

test('the agent of Suporte Técnico does not find the Financeiro ticket in the queue, by any filter', async () => {
  const c = agentA.client;
  for (const url of ['/staff/tickets', `/staff/tickets?${ALL_STATUSES}`, `/staff/tickets?q=${T.B.number}`,
    `/staff/tickets?q=${T.B.number}&${ALL_STATUSES}`, '/staff/tickets?department=2', `/staff/tickets?department=2&${ALL_STATUSES}`,
    '/staff/tickets?sort=priority', '/staff/tickets?assignee=nobody']) {
    const r = await c.get(url);
    assert.equal(r.status, 200, url);
    assert.ok(!queueNumbers(r.body).includes(T.B.number), `#${T.B.number} (Financeiro) listed for the Suporte agent at ${url}`);
    assert.ok(!r.body.includes(`/staff/tickets/${T.B.number}"`), `a link to #${T.B.number} at ${url}`);
  }
  const own = await c.get('/staff/tickets');
  assert.ok(queueNumbers(own.body).includes(T.A.number), 'the agent does not see their own department\'s ticket');
});

test('the agent of Financeiro does not find the Suporte Técnico ticket in the queue, by any filter', async () => {
  const c = agentB.client;
  for (const url of ['/staff/tickets', `/staff/tickets?${ALL_STATUSES}`, `/staff/tickets?q=${T.A.number}`, '/staff/tickets?department=1']) {
    const r = await c.get(url);
    assert.ok(!queueNumbers(r.body).includes(T.A.number), `#${T.A.number} listed for the Financeiro agent at ${url}`);
  }
  assert.ok(queueNumbers((await c.get('/staff/tickets')).body).includes(T.B.number));
});

test('an agent\'s department filter, queue counts and dashboard show only their own departments', async () => {
  const q = await agentA.client.get('/staff/tickets');
  const options = [...q.body.matchAll(/<select id="department" name="department">([\s\S]*?)<\/select>/g)][0][1];
  assert.ok(options.includes('Suporte Técnico') && !options.includes('Financeiro') && !options.includes('Vendas'),
    `department filter options: ${options}`);
  const queues = /<aside class="queues"[\s\S]*?<\/aside>/.exec(q.body)[0];
  assert.ok(!queues.includes('Financeiro'), 'the Financeiro queue count is shown to the Suporte agent');
  const total = Number(/Todos abertos <span class="n">(\d+)<\/span>/.exec(queues)?.[1]);
  assert.equal(total, queueNumbers(q.body).length, 'the "Todos abertos" count is not the agent\'s tickets');
  const dash = await agentA.client.get('/staff');
  assert.deepEqual(Object.keys(dashboardCounts(dash.body)), ['Suporte Técnico']);
  assert.ok(!dash.body.includes(`/staff/tickets/${T.B.number}"`), 'the Financeiro ticket is in the agent\'s oldest waiting list');
  assert.ok(dash.body.includes(`/staff/tickets/${T.A.number}"`), 'the agent\'s own ticket is not in the oldest waiting list');
});

test('the admin finds both tickets in the queue and both departments on the dashboard', async () => {
  const numbers = queueNumbers((await admin.get('/staff/tickets')).body);
  assert.ok(numbers.includes(T.A.number) && numbers.includes(T.B.number));
  const counts = dashboardCounts((await admin.get('/staff')).body);
  assert.ok(counts['Suporte Técnico'] && counts['Financeiro'], Object.keys(counts).join(', '));
});

// ---- the ticket actions --------------------------------------------------------------

test('the client panel\'s other open tickets list only the departments the agent may open', async () => {
  const subject = (k) => new RegExp(`Permissão ${k} `);
  const asA = await agentA.client.get(`/staff/tickets/${T.A.number}`);
  assert.equal(asA.status, 200);
  assert.ok(asA.body.includes(`/staff/tickets/${T.A2.number}`), 'the agent does not see the client\'s other Suporte ticket');
  // Each entry: the link with the number, the subject and the status in words.
  const others = /<h3>Outros tickets abertos<\/h3><ul>([\s\S]*?)<\/ul>/.exec(asA.body)?.[1] ?? '';
  const entry = new RegExp(`<a href="/staff/tickets/${T.A2.number}">#${T.A2.number}</a> Permissão A2 \\S+ <span class="muted">\\(Aberto\\)</span>`);
  assert.match(others, entry, `the other ticket's entry: ${others}`);
  for (const k of ['B', 'B2']) {
    assert.ok(!asA.body.includes(`/staff/tickets/${T[k].number}"`), `the Suporte agent is linked to Financeiro ticket ${k}`);
    assert.doesNotMatch(asA.body, subject(k), `the subject of Financeiro ticket ${k} leaked to the Suporte agent`);
  }
  const asAdmin = await admin.get(`/staff/tickets/${T.A.number}`);
  assert.ok(asAdmin.body.includes(`/staff/tickets/${T.B.number}`), 'the admin does not see the Financeiro ticket');
});

test('an agent opens a ticket for a client from the queue: finds the client, is offered only their departments, and another department is refused', async () => {
  const c = agentA.client;
  const queue = await c.get('/staff/tickets');
  assert.ok(queue.body.includes('href="/staff/tickets/new"'), 'no "Novo ticket" on the queue');
  const find = await c.get('/staff/tickets/new?q=cliente%40exemplo');
  assert.equal(find.status, 200);
  const id = /href="\/staff\/tickets\/new\?client=(\d+)"/.exec(find.body)?.[1];
  assert.ok(id, 'the client was not found');
  const form = await c.get(`/staff/tickets/new?client=${id}`);
  assert.equal(form.status, 200);
  const offered = [...form.body.matchAll(/<option value="(\d+)"[^>]*>([^<]*)<\/option>/g)]
    .filter((m) => /Suporte|Financeiro|Vendas/.test(m[2])).map((m) => m[2]);
  assert.deepEqual(offered, ['Suporte Técnico'], `departments offered: ${offered}`);
  const submission = /name="submission" value="([^"]*)"/.exec(form.body)[1];
  const fields = { submission, client: id, priority: 'medium', service: '0', subject: 'Aberto pela fila', message: 'Cliente ligou.' };
  const refused = await postMultipart(c, '/staff/tickets/new', { ...fields, department: '2' });
  assert.equal(refused.status, 422, describeResponse(refused));
  assert.match(refused.body, /Escolha um dos seus departamentos/);
  const ok = await postMultipart(c, '/staff/tickets/new', { ...fields, department: '1' });
  assert.equal(ok.status, 303, describeResponse(ok));
  assert.match(ok.location, /^\/staff\/tickets\/\d+$/);
});

test('links respect departments: an agent cannot link to another department\'s ticket, nor sees one an admin linked', async () => {
  const c = agentA.client;
  await c.get(`/staff/tickets/${T.A.number}`);
  const r = await c.post(`/staff/tickets/${T.A.number}/links`, { other: T.B.number });
  assert.equal(r.status, 422, describeResponse(r));
  await admin.get(`/staff/tickets/${T.A.number}`);
  const linked = await admin.post(`/staff/tickets/${T.A.number}/links`, { other: T.B.number });
  assert.equal(linked.status, 303);
  const page = await c.get(`/staff/tickets/${T.A.number}`);
  const related = /<section class="box related">[\s\S]*?<\/section>/.exec(page.body)[0];
  assert.ok(!related.includes(`#${T.B.number}`), 'the Suporte agent sees the linked Financeiro ticket');
  assert.equal((await c.get(`/staff/tickets/${T.B.number}/split?message=1`)).status, 404);
  const unlink = await admin.post(`/staff/tickets/${T.A.number}/links`, { other: T.B.number, remove: '1' });
  assert.equal(unlink.status, 303);
});

test('the Suporte agent gets 404 for every action on the Financeiro ticket, and the ticket does not change', async () => {
  const before = await snapshot(T.B.number);
  const results = await everyAction(agentA.client, T.B.number, T.B.attachment, T.A.number);
  assertAll(results, 404, 'Suporte agent on Financeiro ticket');
  await sleep(400);
  assert.deepEqual(await snapshot(T.B.number), before, 'the Financeiro ticket changed');
  const sent = mailFiles(s.dataDir).filter((m) => (m.raw || '').includes(results.word) || (m.text || '').includes(results.word));
  assert.deepEqual(sent.map((m) => m.subject), [], 'an email went out for a refused reply');
});

test('the Financeiro agent gets 404 for every action on the Suporte ticket, and the ticket does not change', async () => {
  const before = await snapshot(T.A.number);
  assertAll(await everyAction(agentB.client, T.A.number, T.A.attachment, T.B.number), 404, 'Financeiro agent on Suporte ticket');
  assert.deepEqual(await snapshot(T.A.number), before, 'the Suporte ticket changed');
});

test('an agent cannot merge their own ticket into another department\'s (422) nor reach its attachment through their own ticket (404)', async () => {
  const before = [await snapshot(T.A.number), await snapshot(T.B.number)];
  const r = await staffMerge(agentA.client, T.A.number, T.B.number);
  assert.equal(r.status, 422, describeResponse(r));
  assert.deepEqual([await snapshot(T.A.number), await snapshot(T.B.number)], before, 'a ticket changed');
  const cross = `/staff/tickets/${T.A.number}/attachments/${T.B.attachment.id}`;
  assert.equal((await agentA.client.get(cross)).status, 404, `GET ${cross}`);
});

test('the same agent can view, reply, note, change, download and merge within their own department', async () => {
  const c = agentA.client;
  assert.equal((await c.get(`/staff/tickets/${T.A.number}`)).status, 200);
  assert.equal((await staffNote(c, T.A.number, 'nota do agente')).status, 303);
  assert.equal((await staffReply(c, T.A.number, 'resposta do agente')).status, 303);
  assert.equal((await staffUpdate(c, T.A.number, { priority: 'high' })).status, 303);
  const dl = await s.fetch(T.A.attachment.url, { headers: { Cookie: c.cookieHeader() } });
  assert.equal(dl.status, 200);
  assert.ok(Buffer.from(await dl.arrayBuffer()).equals(PNG));
  const m = await staffMerge(c, T.A2.number, T.A.number);
  assert.equal(m.status, 303, describeResponse(m));
  const snap = await snapshot(T.A.number);
  assert.equal(snap.status, 'answered');
  assert.equal(snap.priority, 'high');
});

test('an agent who moves a ticket to another department is sent to the queue and loses it (404 afterwards)', async () => {
  const t = await openTicket(maria, { department: 1, subject: `Vai para o Financeiro ${uniqueWord('M')}` });
  const r = await staffUpdate(agentA.client, t.number, { department: 2 });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, '/staff/tickets');
  assert.equal((await agentA.client.get(`/staff/tickets/${t.number}`)).status, 404);
  assert.equal((await agentB.client.get(`/staff/tickets/${t.number}`)).status, 200, 'the Financeiro agent does not get it');
  assert.ok(events((await admin.get(`/staff/tickets/${t.number}`)).body)
    .includes('Agente Suporte moveu o ticket de Suporte Técnico para Financeiro'));
});

test('the admin acts on tickets of both departments: view, download, note, reply, change', async () => {
  for (const k of ['A', 'B']) {
    const { number, attachment } = T[k];
    assert.equal((await admin.get(`/staff/tickets/${number}`)).status, 200, `view ${k}`);
    assert.equal((await admin.get(attachment.url)).status, 200, `download ${k}`);
    assert.equal((await staffNote(admin, number, `nota da admin ${k}`)).status, 303, `note ${k}`);
    assert.equal((await staffReply(admin, number, `resposta da admin ${k}`)).status, 303, `reply ${k}`);
    assert.equal((await staffUpdate(admin, number, { status: 'in-progress' })).status, 303, `update ${k}`);
  }
});

test('merging one client\'s ticket into another client\'s ticket is refused (422): it would show one client the other\'s messages', async () => {
  const other = await addUser(s, { name: 'Outro Cliente', password: 'senha-outro-123' });
  const oc = await signIn(s, other.email, other.password);
  const secret = uniqueWord('PRIVADO');
  const mine = await openTicket(oc, { department: 2, subject: 'Meu cartão', message: `Dados do meu cartão ${secret}` });
  const r = await staffMerge(admin, mine.number, T.B2.number);
  assert.equal(r.status, 422, `POST /staff/tickets/${mine.number}/merge into=${T.B2.number} (another client's ticket): ${describeResponse(r)}`);
  const seen = await maria.get(`/tickets/${T.B2.number}`);
  assert.ok(!seen.body.includes(secret), 'Maria now reads the other client\'s message on her own ticket');
});

// ---- a client session and a signed-out browser -------------------------------------------

function staffPaths() {
  const n = T.A.number;
  return {
    gets: ['/staff', '/staff/tickets', `/staff/tickets/${n}`, `/staff/tickets/${n}/attachments/${T.A.attachment.id}`,
      '/staff/tickets/new?client=1', '/staff/admin'],
    posts: [`/staff/tickets/${n}/reply`, `/staff/tickets/${n}/note`, `/staff/tickets/${n}/update`,
      `/staff/tickets/${n}/merge`, '/staff/tickets/new'],
  };
}

async function assertSentToStaffLogin(c, who) {
  const before = await snapshot(T.A.number);
  const { gets, posts } = staffPaths();
  for (const p of gets) {
    const r = await c.get(p);
    assert.equal(r.status, 303, `${who} GET ${p}: ${describeResponse(r)}`);
    assert.match(r.location || '', /^\/staff\/login(\?|$)/, `${who} GET ${p} → ${r.location}`);
  }
  for (const p of posts) {
    const r = await postMultipart(c, p, { csrf: c.csrf || 'x', submission: 'a'.repeat(43), seen: '0', message: 'intruso',
      status: 'closed', priority: 'low', department: '2', assignee: '0', into: T.A2.number, client: '1', subject: 'x' });
    // A form needs a staff session: without one the answer is the staff sign-in, or 403 when the
    // CSRF token is not the staff area's (a client session's token) — never an action.
    const toLogin = (x) => x.status === 303 && /^\/staff\/login(\?|$)/.test(x.location || '');
    assert.ok(toLogin(r) || r.status === 403, `${who} POST ${p}: ${describeResponse(r)}`);
    const u = await c.post(p, { status: 'closed', into: String(T.A2.number) });
    assert.ok(toLogin(u) || u.status === 403, `${who} urlencoded POST ${p}: ${describeResponse(u)}`);
  }
  assert.deepEqual(await snapshot(T.A.number), before, `the ticket changed after ${who}'s requests`);
}

test('a client signed in to the Client Area is sent to the staff sign-in for every staff page, and no staff form acts for them', async () => {
  await maria.get('/tickets');
  await assertSentToStaffLogin(maria, 'the client');
  assert.ok(!(await maria.get(`/tickets/${T.A.number}`)).body.includes('intruso'));
});

test('a signed-out browser is sent to the staff sign-in for every staff page, and no staff form acts for it', async () => {
  const anon = new Client(s);
  await anon.get('/staff/login');
  await assertSentToStaffLogin(anon, 'a signed-out browser');
});

test('the server exits with code 0 on SIGTERM, without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});
