// The JSON API under /api/v2 over plain HTTP: tokens from the CLI and the
// admin page, both kinds of authentication, every status the API answers
// (200, 201, 204, 401, 403, 404, 422, 429), an agent's token limited to the
// agent's departments, internal notes that never reach the client (page or
// email), user ids that never collide between clients and staff, services,
// both paginations, and the status mapping both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun, waitFor, rawRequest } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { uniqueWord, createStaff, mailHaystacks } from '../lib/staff.mjs';
import { makeToken, api, describeApi } from '../lib/api.mjs';

let s;
let admin; // staff panel session
let maria; // client session
let adminAuth; // {token, email}
let agentAuth; // an agent of Suporte Técnico (1)
let agent;

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  agent = await createStaff(admin, { name: 'Agente API', email: 'agente.api@exemplo.com.br', departments: [1] });
  adminAuth = { token: await makeToken(s, STAFF.email, 'Billing'), email: STAFF.email };
  agentAuth = { token: await makeToken(s, agent.email, 'Monitoring') };
});

after(async () => {
  if (s) await s.stop();
});

async function createTicket(auth, fields = {}) {
  const word = uniqueWord('API');
  const r = await api(s, auth, 'POST', '/api/v2/tickets.json', {
    ticket: { subject: `Site fora do ar ${word}`, comment: { body: `O site caiu ${word}` }, priority: 'high',
      requester: { email: CLIENT.email, name: CLIENT.name }, ...fields },
  });
  assert.equal(r.status, 201, describeApi(r));
  return { ...r.json.ticket, word };
}

// ---- tokens and authentication -------------------------------------------------------------

test('token add prints the token alone; list shows it without the secret; revoke stops it', async () => {
  const token = await makeToken(s, STAFF.email, 'Temporário');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const list = await runCli(['token', 'list', '--db', s.dbUrl]);
  assert.equal(list.code, 0, describeRun(list));
  assert.match(list.stdout, /Temporário/);
  assert.ok(!list.stdout.includes(token), 'the list never shows a token');
  const id = /^(\d+)\s+Temporário/m.exec(list.stdout)[1];
  assert.equal((await api(s, { token }, 'GET', '/api/v2/users/me.json')).status, 200);
  const revoke = await runCli(['token', 'revoke', id, '--db', s.dbUrl]);
  assert.equal(revoke.code, 0, describeRun(revoke));
  const after = await api(s, { token }, 'GET', '/api/v2/users/me.json');
  assert.equal(after.status, 401);
  assert.deepEqual(after.json, { error: "Couldn't authenticate you" });
});

test('token add refuses an email that is not an active staff member', async () => {
  const r = await runCli(['token', 'add', '--staff', '--email', CLIENT.email, '--name', 'x', '--db', s.dbUrl]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
});

test('Basic EMAIL/token:TOKEN and Bearer both work; a wrong email or token is 401 without a redirect or cookie', async () => {
  const basic = await api(s, adminAuth, 'GET', '/api/v2/users/me.json');
  assert.equal(basic.status, 200, describeApi(basic));
  assert.equal(basic.json.user.email, STAFF.email);
  assert.equal(basic.json.user.role, 'admin');
  assert.match(basic.headers.get('content-type'), /^application\/json; charset=utf-8/);
  const bearer = await api(s, { token: adminAuth.token }, 'GET', '/api/v2/users/me.json');
  assert.equal(bearer.json.user.id, basic.json.user.id);
  for (const auth of [null, { token: adminAuth.token, email: agent.email }, { token: 'x'.repeat(43) }]) {
    const r = await api(s, auth, 'GET', '/api/v2/tickets.json');
    assert.equal(r.status, 401, describeApi(r));
    assert.deepEqual(r.json, { error: "Couldn't authenticate you" });
    assert.equal(r.headers.get('location'), null);
    assert.deepEqual(r.headers.getSetCookie(), []);
    assert.equal(r.headers.get('retry-after'), null);
  }
  // A ticket's read goes out before its token is checked: a bad token
  // still sees nothing of it, and the next good request sees it whole.
  const t = await createTicket(adminAuth);
  for (const auth of [null, { token: 'x'.repeat(43) }, { token: adminAuth.token, email: agent.email }]) {
    const r = await api(s, auth, 'GET', `/api/v2/tickets/${t.id}.json`);
    assert.equal(r.status, 401, describeApi(r));
    assert.ok(!JSON.stringify(r.json).includes(t.word), 'a 401 shows nothing of the ticket');
  }
  const seen = await api(s, adminAuth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.equal(seen.status, 200, describeApi(seen));
  assert.ok(seen.json.ticket.subject.includes(t.word));
  // A staff session cookie is not an API credential.
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const withCookie = await api(s, null, 'GET', '/api/v2/users/me.json', undefined, { headers: { Cookie: cookie } });
  assert.equal(withCookie.status, 401);
});

test('a POST to the API needs no CSRF token; an unknown endpoint, bad JSON and a huge body get JSON errors', async () => {
  const r = await createTicket(adminAuth);
  assert.ok(r.id > 0);
  const missing = await api(s, adminAuth, 'GET', '/api/v2/nothing-here.json');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'InvalidEndpoint');
  const bad = await api(s, adminAuth, 'POST', '/api/v2/tickets.json', undefined, { raw: '{"ticket": ' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'BadRequest');
  // The server answers as soon as it reads a Content-Length over the cap and
  // stops reading; a client still writing the body may see the connection
  // reset instead. So: the headers alone, then the answer.
  const basic = Buffer.from(`${adminAuth.email}/token:${adminAuth.token}`).toString('base64');
  const huge = await rawRequest(s.port,
    `POST /api/v2/tickets.json HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${basic}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`,
    { timeoutMs: 30000 });
  assert.equal(huge.status, 413, huge.text.slice(0, 300));
  assert.match(huge.body, /"error":\s*"RequestTooLarge"/);
});

// ---- tickets ---------------------------------------------------------------------------------

test('POST creates a ticket (201) that the client and staff pages show at once, and emails the client', async () => {
  const t = await createTicket(adminAuth);
  assert.equal(t.status, 'new');
  assert.equal(t.priority, 'high');
  assert.equal(t.group_id, 1);
  assert.match(t.url, /\/api\/v2\/tickets\/\d+\.json$/);
  assert.match(t.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(t.number >= 100000);
  const page = await maria.get(`/tickets/${t.number}`);
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(t.word));
  assert.equal((await admin.get(`/staff/tickets/${t.number}`)).status, 200);
  await waitForMailWith(t.word, (m) => m.to.includes(CLIENT.email));
});

async function waitForMailWith(word, pred = () => true) {
  return waitFor(() => mailHaystacks(s.dataDir).some((h) => h.all.includes(word) && pred(h)),
    { timeoutMs: 8000, message: `an email with ${word}` });
}

test('POST with a new requester email creates the client (an end-user); no comment is 422', async () => {
  const email = `${uniqueWord('novo').toLowerCase()}@cliente.example`;
  const t = await createTicket(adminAuth, { requester: { email, name: 'Cliente Novo' } });
  const who = await api(s, adminAuth, 'GET', `/api/v2/users/${t.requester_id}.json`);
  assert.equal(who.status, 200);
  assert.equal(who.json.user.email, email);
  assert.equal(who.json.user.role, 'end-user');
  const none = await api(s, adminAuth, 'POST', '/api/v2/tickets.json', { ticket: { subject: 'sem corpo', requester_id: t.requester_id } });
  assert.equal(none.status, 422);
  assert.equal(none.json.error, 'RecordInvalid');
  assert.ok(none.json.details.comment, JSON.stringify(none.json));
  const badPriority = await api(s, adminAuth, 'POST', '/api/v2/tickets.json',
    { ticket: { comment: { body: 'x' }, priority: 'whenever', requester_id: t.requester_id } });
  assert.equal(badPriority.status, 422);
  assert.ok(badPriority.json.details.priority);
});

test('GET a ticket: 200 with its fields; an unknown id is 404 RecordNotFound', async () => {
  const t = await createTicket(adminAuth);
  const r = await api(s, adminAuth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.equal(r.status, 200);
  assert.equal(r.json.ticket.subject, t.subject);
  assert.equal(r.json.ticket.description, `O site caiu ${t.word}`);
  const missing = await api(s, adminAuth, 'GET', '/api/v2/tickets/99999999.json');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'RecordNotFound');
});

test('PUT maps Zendesk statuses to ours both ways and answers the ticket with an audit', async () => {
  const t = await createTicket(adminAuth);
  const steps = [['pending', 'answered'], ['hold', 'on-hold'], ['open', 'in-progress'], ['solved', 'closed']];
  for (const [zendesk, ours] of steps) {
    const r = await api(s, adminAuth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { status: zendesk } });
    assert.equal(r.status, 200, describeApi(r));
    assert.equal(r.json.ticket.chamado.status, ours);
    assert.equal(r.json.ticket.status, zendesk === 'solved' ? 'closed' : zendesk);
    assert.ok(r.json.audit.events.some((e) => e.field_name === 'status'));
  }
  const r = await api(s, adminAuth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { priority: 'normal' } });
  assert.equal(r.json.ticket.priority, 'normal');
  assert.equal(r.json.ticket.chamado.priority, 'medium');
  const bad = await api(s, adminAuth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { status: 'someday' } });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.details.status);
  const missing = await api(s, adminAuth, 'PUT', '/api/v2/tickets/99999999.json', { ticket: { status: 'open' } });
  assert.equal(missing.status, 404);
});

test('a public comment emails the client and shows on their page; a note (public: false) reaches no client page and no email', async () => {
  const t = await createTicket(adminAuth);
  const secret = uniqueWord('SEGREDO');
  const publicWord = uniqueWord('PUBLICO');
  const note = await api(s, adminAuth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { comment: { body: `nota ${secret}`, public: false } } });
  assert.equal(note.status, 200, describeApi(note));
  const reply = await api(s, adminAuth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { comment: { body: `resposta ${publicWord}` } } });
  assert.equal(reply.status, 200);
  assert.equal(reply.json.ticket.status, 'pending');
  await waitForMailWith(publicWord, (m) => m.to.includes(CLIENT.email));
  const comments = await api(s, adminAuth, 'GET', `/api/v2/tickets/${t.id}/comments.json`);
  assert.deepEqual(comments.json.comments.map((c) => c.public), [true, false, true]);
  assert.deepEqual(comments.json.comments.map((c) => c.via.channel), ['api', 'api', 'api'], 'written through the API channel');
  assert.match(comments.json.comments[1].html_body, new RegExp(secret));
  const page = await maria.get(`/tickets/${t.number}`);
  assert.ok(page.body.includes(publicWord));
  assert.ok(!page.body.includes(secret), 'the note shows on the client page');
  assert.equal(mailHaystacks(s.dataDir).filter((h) => h.all.includes(secret)).length, 0, 'the note was emailed');
  // It stays out after the staff replies again and the client answers.
  const staffPage = await admin.get(`/staff/tickets/${t.number}`);
  assert.ok(staffPage.body.includes(secret), 'staff see their note');
});

test("an agent's token reaches only the agent's departments", async () => {
  const mine = await createTicket(adminAuth, { group_id: 1 });
  const other = await createTicket(adminAuth, { group_id: 2 });
  assert.equal((await api(s, agentAuth, 'GET', `/api/v2/tickets/${mine.id}.json`)).status, 200);
  assert.equal((await api(s, agentAuth, 'GET', `/api/v2/tickets/${other.id}.json`)).status, 404);
  assert.equal((await api(s, agentAuth, 'GET', `/api/v2/tickets/${other.id}/comments.json`)).status, 404);
  const put = await api(s, agentAuth, 'PUT', `/api/v2/tickets/${other.id}.json`, { ticket: { status: 'solved', comment: { body: 'x' } } });
  assert.equal(put.status, 404);
  const still = await api(s, adminAuth, 'GET', `/api/v2/tickets/${other.id}.json`);
  assert.equal(still.json.ticket.status, 'new', 'the refused change left the ticket alone');
  const list = await api(s, agentAuth, 'GET', '/api/v2/tickets.json?per_page=100');
  const ids = list.json.tickets.map((t) => t.id);
  assert.ok(ids.includes(mine.id));
  assert.ok(!ids.includes(other.id));
  assert.ok(list.json.tickets.every((t) => t.group_id === 1));
  const search = await api(s, agentAuth, 'GET', `/api/v2/search.json?query=${encodeURIComponent(`type:ticket ${other.word}`)}`);
  assert.equal(search.status, 200);
  assert.equal(search.json.count, 0);
  const create = await api(s, agentAuth, 'POST', '/api/v2/tickets.json',
    { ticket: { comment: { body: 'x' }, group_id: 2, requester: { email: CLIENT.email } } });
  assert.equal(create.status, 422);
  assert.ok(create.json.details.group_id);
  const ok = await api(s, agentAuth, 'POST', '/api/v2/tickets.json',
    { ticket: { comment: { body: 'pelo agente' }, requester: { email: CLIENT.email } } });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.ticket.group_id, 1);
});

test('search finds tickets by words, status and requester, and users by name or email', async () => {
  const t = await createTicket(adminAuth);
  const q = (query) => api(s, adminAuth, 'GET', `/api/v2/search.json?query=${encodeURIComponent(query)}`);
  const words = await q(`type:ticket ${t.word}`);
  assert.deepEqual(words.json.results.map((r) => r.id), [t.id]);
  assert.equal(words.json.results[0].result_type, 'ticket');
  assert.equal((await q(`type:ticket status:new ${t.word}`)).json.count, 1);
  assert.equal((await q(`type:ticket status:pending ${t.word}`)).json.count, 0);
  assert.equal((await q(`type:ticket requester:${CLIENT.email} ${t.word}`)).json.count, 1);
  assert.equal((await q(`type:ticket requester:ninguem@nada.example ${t.word}`)).json.count, 0);
  const users = await q('type:user Maria');
  assert.ok(users.json.results.some((u) => u.email === CLIENT.email && u.result_type === 'user'));
  const byEmail = await api(s, adminAuth, 'GET', `/api/v2/users/search.json?query=${encodeURIComponent(CLIENT.email)}`);
  assert.equal(byEmail.json.users.length, 1);
  assert.equal(byEmail.json.users[0].email, CLIENT.email);
});

// ---- pagination --------------------------------------------------------------------------------

test('offset pages: per_page, absolute next_page/previous_page, null on the last page, count', async () => {
  for (let i = 0; i < 3; i++) await createTicket(adminAuth);
  const first = await api(s, adminAuth, 'GET', '/api/v2/tickets.json?per_page=2');
  const count = first.json.count;
  assert.ok(count >= 3);
  assert.equal(first.json.tickets.length, 2);
  assert.equal(first.json.previous_page, null);
  assert.equal(first.json.next_page, `${s.baseUrl}/api/v2/tickets.json?page=2&per_page=2`);
  const seen = [];
  let url = '/api/v2/tickets.json?per_page=2';
  let pages = 0;
  for (;;) {
    const r = await api(s, adminAuth, 'GET', url);
    seen.push(...r.json.tickets.map((t) => t.id));
    pages += 1;
    if (!r.json.next_page) break;
    assert.ok(r.json.next_page.startsWith(s.baseUrl));
    url = r.json.next_page.slice(s.baseUrl.length);
  }
  assert.equal(pages, Math.ceil(count / 2));
  assert.equal(seen.length, count);
  assert.equal(new Set(seen).size, count);
});

test('cursor pages: page[size], meta.has_more, links.next absolute then null', async () => {
  const all = (await api(s, adminAuth, 'GET', '/api/v2/tickets.json?per_page=100')).json;
  let url = '/api/v2/tickets.json?page%5Bsize%5D=2';
  const seen = [];
  for (let guard = 0; guard < 100; guard++) {
    const r = await api(s, adminAuth, 'GET', url);
    assert.equal(r.status, 200, describeApi(r));
    seen.push(...r.json.tickets.map((t) => t.id));
    if (!r.json.meta.has_more) {
      assert.equal(r.json.links.next, null);
      break;
    }
    assert.ok(r.json.links.next.startsWith(`${s.baseUrl}/api/v2/tickets.json?`));
    url = r.json.links.next.slice(s.baseUrl.length);
  }
  assert.deepEqual(seen, all.tickets.map((t) => t.id));
});

// ---- users, ids, groups, services -----------------------------------------------------------

test('user ids never collide: clients and staff with the same row id get different API ids', async () => {
  const list = await api(s, adminAuth, 'GET', '/api/v2/users.json?per_page=100');
  assert.equal(list.status, 200);
  const users = list.json.users;
  assert.ok(users.some((u) => u.role === 'end-user') && users.some((u) => u.role !== 'end-user'));
  assert.equal(new Set(users.map((u) => u.id)).size, users.length);
  for (const u of users) {
    const one = await api(s, adminAuth, 'GET', `/api/v2/users/${u.id}.json`);
    assert.equal(one.json.user.email, u.email, `users/${u.id} is ${u.email}`);
  }
  const agents = await api(s, adminAuth, 'GET', '/api/v2/users.json?role=agent');
  assert.ok(agents.json.users.every((u) => u.role === 'agent'));
  assert.ok(agents.json.users.some((u) => u.email === agent.email));
});

test('users: create (201), duplicate email (422), create_or_update (201 then 200), update (200; agents 403)', async () => {
  const email = `${uniqueWord('u').toLowerCase()}@billing.example`;
  const created = await api(s, adminAuth, 'POST', '/api/v2/users.json', { user: { name: 'Cliente Cobrança', email } });
  assert.equal(created.status, 201, describeApi(created));
  assert.equal(created.json.user.role, 'end-user');
  const dup = await api(s, adminAuth, 'POST', '/api/v2/users.json', { user: { name: 'Outro', email } });
  assert.equal(dup.status, 422);
  assert.ok(dup.json.details.email);
  const staffRole = await api(s, adminAuth, 'POST', '/api/v2/users.json', { user: { name: 'X', email: `a${email}`, role: 'agent' } });
  assert.equal(staffRole.status, 422);
  const email2 = `b${email}`;
  const cou1 = await api(s, adminAuth, 'POST', '/api/v2/users/create_or_update.json', { user: { name: 'Primeiro', email: email2 } });
  assert.equal(cou1.status, 201);
  const cou2 = await api(s, adminAuth, 'POST', '/api/v2/users/create_or_update.json', { user: { name: 'Segundo', email: email2 } });
  assert.equal(cou2.status, 200);
  assert.equal(cou2.json.user.id, cou1.json.user.id);
  assert.equal(cou2.json.user.name, 'Segundo');
  const put = await api(s, adminAuth, 'PUT', `/api/v2/users/${created.json.user.id}.json`, { user: { name: 'Nome Novo', locale: 'en' } });
  assert.equal(put.status, 200, describeApi(put));
  assert.equal(put.json.user.name, 'Nome Novo');
  assert.equal(put.json.user.locale, 'en');
  const byAgent = await api(s, agentAuth, 'PUT', `/api/v2/users/${created.json.user.id}.json`, { user: { name: 'x' } });
  assert.equal(byAgent.status, 403);
  const missing = await api(s, adminAuth, 'PUT', '/api/v2/users/999998.json', { user: { name: 'x' } });
  assert.equal(missing.status, 404);
});

test('groups are the departments', async () => {
  const r = await api(s, agentAuth, 'GET', '/api/v2/groups.json');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.groups.map((g) => g.name).slice(0, 3), ['Suporte Técnico', 'Financeiro', 'Vendas']);
});

test('services: a billing token adds, lists, changes and removes a client\'s services; they show in Serviço Relacionado', async () => {
  const me = await api(s, adminAuth, 'GET', `/api/v2/users/search.json?query=${encodeURIComponent(CLIENT.email)}`);
  const uid = me.json.users[0].id;
  const label = `plano-${uniqueWord('S').toLowerCase()}.com.br`;
  const created = await api(s, adminAuth, 'POST', `/api/v2/users/${uid}/services.json`, { service: { kind: 'domain', label } });
  assert.equal(created.status, 201, describeApi(created));
  const id = created.json.service.id;
  assert.equal(created.json.service.status, 'active');
  const form = await maria.get('/tickets/new?department=1');
  assert.ok(form.body.includes(label), 'the client sees the new service');
  const list = await api(s, adminAuth, 'GET', `/api/v2/users/${uid}/services.json`);
  assert.ok(list.json.services.some((x) => x.id === id));
  const put = await api(s, adminAuth, 'PUT', `/api/v2/services/${id}.json`, { service: { status: 'suspended' } });
  assert.equal(put.status, 200, describeApi(put));
  assert.equal(put.json.service.status, 'suspended');
  const bad = await api(s, adminAuth, 'PUT', `/api/v2/services/${id}.json`, { service: { kind: 'boat' } });
  assert.equal(bad.status, 422);
  assert.equal((await api(s, agentAuth, 'POST', `/api/v2/users/${uid}/services.json`, { service: { label: 'x' } })).status, 403);
  const t = await createTicket(adminAuth, { service_id: id });
  assert.equal(t.service_id, id);
  const del = await api(s, adminAuth, 'DELETE', `/api/v2/services/${id}.json`);
  assert.equal(del.status, 204);
  assert.equal((await api(s, adminAuth, 'DELETE', `/api/v2/services/${id}.json`)).status, 404);
  assert.equal((await api(s, adminAuth, 'GET', '/api/v2/users/999999/services.json')).status, 404);
});

// ---- admin page -------------------------------------------------------------------------------

test('Tokens de API: an admin creates a token shown once and revokes it; an agent gets 404', async () => {
  const page = await admin.get('/staff/admin/tokens');
  assert.equal(page.status, 200);
  assert.match(page.body, /Billing/);
  const made = await admin.post('/staff/admin/tokens', { name: 'Chat', staff_id: '' });
  assert.equal(made.status, 200, describeResponse(made));
  const token = /<code class="token">([A-Za-z0-9_-]{43})<\/code>/.exec(made.body)?.[1];
  assert.ok(token, 'the new token is shown');
  assert.equal((await api(s, { token }, 'GET', '/api/v2/users/me.json')).status, 200);
  const again = await admin.get('/staff/admin/tokens');
  assert.ok(!again.body.includes(token), 'the token is shown only once');
  const id = new RegExp(`/staff/admin/tokens/(\\d+)/revoke`).exec(again.body)[1];
  const revoked = await admin.post(`/staff/admin/tokens/${id}/revoke`, {});
  assert.equal(revoked.status, 303);
  assert.equal((await api(s, { token }, 'GET', '/api/v2/users/me.json')).status, 401);
  assert.equal((await agent.client.get('/staff/admin/tokens')).status, 404);
});

// ---- the rate limit -----------------------------------------------------------------------------

test('past the rate a token gets 429 with Retry-After (and only then); other tokens go on', async () => {
  const r2 = await startServer({ demo: true });
  try {
    const adm = await signIn(r2, STAFF.email, STAFF.password, { staff: true });
    await adm.get('/staff/admin/tokens');
    const rate = await adm.post('/staff/admin/tokens/rate', { rate: '5' });
    assert.equal(rate.status, 303, describeResponse(rate));
    const busy = { token: await makeToken(r2, STAFF.email, 'busy') };
    const calm = { token: await makeToken(r2, STAFF.email, 'calm') };
    const ok = await api(r2, busy, 'GET', '/api/v2/users/me.json');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('retry-after'), null);
    // The setting reaches every server thread within seconds; keep asking.
    const limited = await waitFor(async () => {
      const r = await api(r2, busy, 'GET', '/api/v2/users/me.json');
      return r.status === 429 ? r : null;
    }, { timeoutMs: 20000, intervalMs: 200, message: 'a 429' });
    assert.equal(limited.json.error, 'TooManyRequests');
    const after = Number(limited.headers.get('retry-after'));
    assert.ok(after >= 1 && after <= 60, `Retry-After ${after}`);
    const other = await api(r2, calm, 'GET', '/api/v2/users/me.json');
    assert.equal(other.status, 200, 'the limit is per token');
  } finally {
    await r2.stop();
  }
});
