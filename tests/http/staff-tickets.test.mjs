// The staff panel over HTTP, as the support team uses it: the queue (every
// filter, combinations, bookmarkable URLs, sort by priority, keyset pages over
// more than 25 tickets), a ticket's reply / note / changes / merge forms and
// what each does (status, audit events in the thread, the client's email,
// notes never reaching the client), two staff on one ticket (409 and confirm),
// predefined replies, a ticket opened on a client's behalf, the dashboard and
// auto-close. Who may do what is in staff-permissions.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, sleep, waitFor } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { addUser, mainText, pageText, describeResponse } from '../lib/accounts.mjs';
import { file, postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF, SERVICES, PNG, PNG2, openTicket, waitForMail, mailFiles } from '../lib/fixtures.mjs';
import {
  uniqueWord, createStaff, createPredefined, clientId, queueRows, queueNumbers, olderLink, ticketMeta,
  messages, events, formInput, textareaById, selectOptions, selected, flash, alerts, dashboardCounts,
  staffReply, staffNote, staffUpdate, staffMerge, mailHaystacks, runSql,
} from '../lib/staff.mjs';

let s;
let admin; // Ana Lima, admin, member of every department
let maria; // the demo client, signed in
let adminId; // Ana Lima's staff id (from the assignee select)

const sorted = (a) => [...a].sort();
const mailsTo = (email) => mailFiles(s.dataDir).filter((m) => m.toAddresses.includes(email));

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100', CHAMADO_MAINTENANCE_INTERVAL: '1' } });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});

after(async () => {
  if (s) await s.stop();
});

async function newClient(name) {
  const u = await addUser(s, { name, password: 'senha-cliente-123' });
  return { ...u, c: await signIn(s, u.email, u.password) };
}

async function open(c, options) {
  const t = await openTicket(c, options);
  assert.equal(t.status, 303, `opening "${options.subject}": ${describeResponse(t)}`);
  return t.number;
}

/** Every row of a queue URL, following "Mais antigos →". */
async function allRows(c, url) {
  const out = [];
  for (let next = url, i = 0; next; i++) {
    assert.ok(i < 20, `more than 20 pages from ${url}`);
    const r = await c.get(next);
    assert.equal(r.status, 200, `GET ${next}: ${describeResponse(r)}`);
    out.push(...queueRows(r.body));
    next = olderLink(r.body);
  }
  return out;
}

/** Every ticket number of a queue URL, following "Mais antigos →". */
async function allPages(c, url) {
  return (await allRows(c, url)).map((x) => x.number);
}

// ---- the queue: a known set of tickets ----------------------------------------------

const FW = uniqueWord('FILA');
const set = {}; // name -> {number, department, priority, status, mine}

test('setting up: a client opens seven tickets across the departments and staff answer, hold, assign and close some of them', async () => {
  const c = (await newClient('Cliente da Fila')).c;
  const spec = {
    T1: { department: 1, priority: 'high', subject: `${FW} servidor lento` },
    T2: { department: 1, priority: 'low', subject: `${FW} dúvida de DNS` },
    T3: { department: 2, priority: 'medium', subject: `${FW} boleto duplicado` },
    T4: { department: 2, priority: 'high', subject: `${FW} cobrança indevida` },
    T5: { department: 3, priority: 'low', subject: `${FW} upgrade de plano` },
    T6: { department: 3, priority: 'medium', subject: `${FW} proposta comercial` },
    T7: { department: 1, priority: 'medium', subject: `${FW} certificado SSL` },
  };
  for (const [k, v] of Object.entries(spec)) {
    set[k] = { ...v, number: await open(c, v), status: 'open', mine: false };
  }
  const page = await admin.get(`/staff/tickets/${set.T1.number}`);
  adminId = Number(selectOptions(page.body, 'a-assignee').find((o) => o.text === 'Ana Lima')?.value);
  assert.ok(adminId > 0, 'Ana Lima is not in the assignee select');

  let r = await staffReply(admin, set.T2.number, 'Já verificamos o DNS.');
  assert.equal(r.status, 303, describeResponse(r));
  set.T2.status = 'answered';
  r = await staffReply(admin, set.T3.number, 'Vamos estornar.');
  assert.equal(r.status, 303, describeResponse(r));
  const cp = await c.get(`/tickets/${set.T3.number}`);
  r = await postMultipart(c, `/tickets/${set.T3.number}/reply`,
    { submission: formInput(cp.body, 'submission'), message: 'Obrigado, aguardo.' });
  assert.equal(r.status, 303, describeResponse(r));
  set.T3.status = 'customer-reply';
  for (const [k, changes, status] of [
    ['T4', { status: 'on-hold' }, 'on-hold'],
    ['T5', { status: 'in-progress', assignee: adminId }, 'in-progress'],
    ['T6', { status: 'closed' }, 'closed'],
    ['T7', { assignee: adminId }, 'open'],
  ]) {
    r = await staffUpdate(admin, set[k].number, changes);
    assert.equal(r.status, 303, `${k}: ${describeResponse(r)}`);
    set[k].status = status;
    if (changes.assignee) set[k].mine = true;
  }
  const check = await admin.get(`/staff/tickets?q=${FW}&status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed`);
  const got = Object.fromEntries(queueRows(check.body).map((row) => [row.number, row.status]));
  for (const [k, t] of Object.entries(set)) assert.equal(got[t.number], t.status, `${k} (#${t.number}) is ${got[t.number]}`);
});

/** The numbers of `set` that pass pred. */
function expect(pred) {
  return sorted(Object.values(set).filter(pred).map((t) => t.number));
}

async function listed(query) {
  const r = await admin.get(`/staff/tickets?q=${FW}${query}`);
  assert.equal(r.status, 200, `GET /staff/tickets?q=${FW}${query}: ${describeResponse(r)}`);
  return sorted(queueNumbers(r.body));
}

test('the queue without a status lists every ticket except the closed ones', async () => {
  assert.deepEqual(await listed(''), expect((t) => t.status !== 'closed'));
});

test('each status filter lists exactly the tickets in that status', async () => {
  for (const st of ['open', 'answered', 'customer-reply', 'on-hold', 'in-progress', 'closed']) {
    assert.deepEqual(await listed(`&status=${st}`), expect((t) => t.status === st), `status=${st}`);
  }
});

test('several statuses at once list the union (status=open&status=closed)', async () => {
  assert.deepEqual(await listed('&status=open&status=closed'), expect((t) => t.status === 'open' || t.status === 'closed'));
  assert.deepEqual(await listed('&status=answered&status=customer-reply&status=on-hold'),
    expect((t) => ['answered', 'customer-reply', 'on-hold'].includes(t.status)));
});

test('the department filter lists only that department', async () => {
  for (const d of [1, 2, 3]) {
    assert.deepEqual(await listed(`&department=${d}`), expect((t) => t.department === d && t.status !== 'closed'), `department=${d}`);
  }
});

test('the priority filter lists only that priority', async () => {
  for (const p of ['low', 'medium', 'high']) {
    assert.deepEqual(await listed(`&priority=${p}`), expect((t) => t.priority === p && t.status !== 'closed'), `priority=${p}`);
  }
});

test('assignee=me lists the tickets assigned to me, assignee=nobody the unassigned ones, assignee=any both', async () => {
  assert.deepEqual(await listed('&assignee=me'), expect((t) => t.mine && t.status !== 'closed'));
  assert.deepEqual(await listed('&assignee=nobody'), expect((t) => !t.mine && t.status !== 'closed'));
  assert.deepEqual(await listed('&assignee=any'), expect((t) => t.status !== 'closed'));
});

test('filters combine: department + status + priority + assignee narrow to the one ticket matching all', async () => {
  assert.deepEqual(await listed('&department=1&status=open&priority=medium&assignee=me'), [set.T7.number]);
  assert.deepEqual(await listed('&department=1&status=open&priority=high&assignee=nobody'), [set.T1.number]);
  assert.deepEqual(await listed('&department=3&priority=low&status=in-progress&status=closed'), [set.T5.number]);
  assert.deepEqual(await listed('&department=2&priority=low'), []);
});

test('the text search finds words of the subject, and a ticket number finds that ticket alone', async () => {
  let r = await admin.get(`/staff/tickets?q=${encodeURIComponent(`${FW} boleto`)}`);
  assert.deepEqual(queueNumbers(r.body), [set.T3.number], 'subject words');
  r = await admin.get(`/staff/tickets?q=${set.T4.number}`);
  assert.deepEqual(queueNumbers(r.body), [set.T4.number], `q=${set.T4.number}`);
  r = await admin.get(`/staff/tickets?q=${set.T6.number}&status=closed`);
  assert.deepEqual(queueNumbers(r.body), [set.T6.number], 'a closed ticket by number with status=closed');
  r = await admin.get(`/staff/tickets?q=${uniqueWord('NADA')}`);
  assert.deepEqual(queueNumbers(r.body), []);
  assert.match(mainText(r.body), /Nenhum ticket/i, 'no "no tickets" message on an empty result');
});

test('the text search ignores letter case', async () => {
  assert.deepEqual(sorted(queueNumbers((await admin.get(`/staff/tickets?q=${FW.toLowerCase()}`)).body)),
    expect((t) => t.status !== 'closed'));
});

test('a queue URL is bookmarkable: the same URL gives the same list in another session, and the form shows the filter', async () => {
  const url = `/staff/tickets?department=1&status=open&status=answered&priority=medium&assignee=me&q=${FW}&sort=priority`;
  const first = await admin.get(url);
  const again = await admin.get(url);
  const other = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const third = await other.get(url);
  assert.deepEqual(queueNumbers(first.body), [set.T7.number]);
  assert.deepEqual(queueNumbers(again.body), queueNumbers(first.body));
  assert.deepEqual(queueNumbers(third.body), queueNumbers(first.body), 'another session sees another list');
  const b = first.body;
  assert.equal(selected(b, 'department'), '1', 'department not selected in the form');
  assert.equal(selected(b, 'priority'), 'medium');
  assert.equal(selected(b, 'assignee'), 'me');
  assert.equal(selected(b, 'sort'), 'priority');
  assert.equal(formInput(b, 'q'), FW);
  const checked = [...b.matchAll(/<input type="checkbox" name="status" value="([a-z-]+)"( checked)?>/g)]
    .filter((m) => m[2]).map((m) => m[1]);
  assert.deepEqual(checked, ['open', 'answered'], 'the status checkboxes do not show the filter');
});

test('sort=priority lists high before medium before low; sort=updated puts the ticket changed last first', async () => {
  const r = await admin.get(`/staff/tickets?q=${FW}&sort=priority`);
  const ranks = queueRows(r.body).map((row) => ({ high: 0, medium: 1, low: 2 })[row.priority]);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `priorities in page order: ${queueRows(r.body).map((x) => x.priority).join(' ')}`);
  assert.equal(ranks.length, 6);
  await sleep(1100); // updated_at has whole seconds
  const u = await staffUpdate(admin, set.T2.number, { priority: 'medium' });
  assert.equal(u.status, 303, describeResponse(u));
  set.T2.priority = 'medium';
  const byUpdate = queueNumbers((await admin.get(`/staff/tickets?q=${FW}&sort=updated`)).body);
  assert.equal(byUpdate[0], set.T2.number, `sort=updated: ${byUpdate.join(' ')}`);
  const byUpdateDefault = queueNumbers((await admin.get(`/staff/tickets?q=${FW}`)).body);
  assert.deepEqual(byUpdateDefault, byUpdate, 'the default sort is not "last update"');
  const mediums = queueRows((await admin.get(`/staff/tickets?q=${FW}&sort=priority`)).body).filter((x) => x.priority === 'medium');
  assert.equal(mediums[0]?.number, set.T2.number, 'within a priority the last updated does not come first');
});

// ---- the queue: pages --------------------------------------------------------------

const PW = uniqueWord('PAG');
let pag = []; // numbers in creation order

test('with 30 matching tickets the queue shows 25 and a "Mais antigos →" link that keeps the filter', async () => {
  const c = (await newClient('Cliente Paginação')).c;
  const prios = ['high', 'medium', 'low'];
  for (let i = 0; i < 30; i++) {
    pag.push(await open(c, { subject: `${PW} ticket ${i + 1}`, priority: prios[i % 3], department: (i % 3) + 1 }));
  }
  const r = await admin.get(`/staff/tickets?q=${PW}`);
  assert.equal(queueNumbers(r.body).length, 25);
  const next = olderLink(r.body);
  assert.ok(next, 'no "Mais antigos →" link');
  const u = new URL(next, s.baseUrl);
  assert.equal(u.pathname, '/staff/tickets');
  assert.equal(u.searchParams.get('q'), PW, `the link drops the search: ${next}`);
  assert.match(u.searchParams.get('after') || '', /^\d\.\d+\.\d+$/, `after= in ${next}`);
});

test('following "Mais antigos →" (by last update) gives every ticket exactly once, newest first, and the last page has no link', async () => {
  const got = await allPages(admin, `/staff/tickets?q=${PW}`);
  assert.equal(got.length, 30, `${got.length} rows over the pages`);
  assert.equal(new Set(got).size, 30, 'a ticket is listed twice');
  assert.deepEqual(sorted(got), sorted(pag), 'a ticket is missing');
  assert.deepEqual(got, [...pag].reverse(), 'not newest first (opened within the same seconds: by id)');
});

test('one department in one status (its own index) lists over pages what the general query lists, in the same order', async () => {
  // department=2&status=open reads the (department, status, update) index;
  // adding a second status sends the general query, whose open rows must be the same.
  const c = (await newClient('Cliente Departamento')).c;
  const more = [];
  for (let i = 0; i < 20; i++) more.push(await open(c, { subject: `Cobrança avulsa ${i + 1}`, department: 2 }));
  const one = await allRows(admin, '/staff/tickets?department=2&status=open');
  const general = (await allRows(admin, '/staff/tickets?department=2&status=open&status=on-hold')).filter((x) => x.status === 'open');
  assert.ok(one.length > 25, `${one.length} rows: not more than a page`);
  assert.ok(one.every((x) => x.status === 'open'), 'a ticket in another status');
  assert.deepEqual(one.map((x) => x.number), general.map((x) => x.number));
  assert.equal(new Set(one.map((x) => x.number)).size, one.length, 'a ticket is listed twice');
  const mine = [...pag.filter((_, i) => i % 3 === 1), ...more];
  assert.deepEqual(one.map((x) => x.number).filter((n) => mine.includes(n)), [...mine].reverse(), 'newest first');
});

test('what waits for the staff in one department (its own index) lists over pages what the general query lists', async () => {
  // department=2&status=open&status=customer-reply reads the index of just
  // those tickets; adding on-hold sends the general query.
  const c = (await newClient('Cliente Aguardando')).c;
  const mine = [];
  for (let i = 0; i < 27; i++) mine.push(await open(c, { subject: `Aguardando ${i + 1}`, department: 2 }));
  let r = await staffReply(admin, mine[0], 'Respondido.');
  assert.equal(r.status, 303, describeResponse(r));
  r = await staffReply(admin, mine[1], 'Respondido também.');
  assert.equal(r.status, 303, describeResponse(r));
  const cp = await c.get(`/tickets/${mine[1]}`);
  r = await postMultipart(c, `/tickets/${mine[1]}/reply`,
    { submission: formInput(cp.body, 'submission'), message: 'Ainda não resolveu.' });
  assert.equal(r.status, 303, describeResponse(r));
  r = await staffUpdate(admin, mine[2], { status: 'on-hold' });
  assert.equal(r.status, 303, describeResponse(r));

  const waiting = await allRows(admin, '/staff/tickets?department=2&status=open&status=customer-reply');
  const general = (await allRows(admin, '/staff/tickets?department=2&status=open&status=customer-reply&status=on-hold'))
    .filter((x) => x.status !== 'on-hold');
  assert.ok(waiting.length > 25, `${waiting.length} rows: not more than a page`);
  assert.ok(waiting.every((x) => ['open', 'customer-reply'].includes(x.status)), 'a ticket that does not wait is listed');
  assert.deepEqual(waiting.map((x) => x.number), general.map((x) => x.number));
  assert.equal(new Set(waiting.map((x) => x.number)).size, waiting.length, 'a ticket is listed twice');
  const numbers = waiting.map((x) => x.number);
  assert.ok(!numbers.includes(mine[0]), 'the answered ticket is listed');
  assert.ok(!numbers.includes(mine[2]), 'the ticket on hold is listed');
  assert.equal(waiting.find((x) => x.number === mine[1])?.status, 'customer-reply');
  const untouched = mine.slice(3);
  assert.deepEqual(numbers.filter((n) => untouched.includes(n)), [...untouched].reverse(), 'newest first');

  // A filter on the same view narrows it (the view alone has a query of its own).
  const high = await open(c, { subject: 'Aguardando urgente', department: 2, priority: 'high' });
  const urgent = await allRows(admin, '/staff/tickets?department=2&status=open&status=customer-reply&priority=high');
  assert.ok(urgent.some((x) => x.number === high), 'the high-priority ticket is not listed');
  assert.ok(!urgent.some((x) => mine.includes(x.number)), 'a medium-priority ticket is listed under priority=high');
});

test('by priority over pages: every ticket once, all high, then medium, then low', async () => {
  const first = await admin.get(`/staff/tickets?q=${PW}&sort=priority`);
  const link = olderLink(first.body);
  assert.equal(new URL(link, s.baseUrl).searchParams.get('sort'), 'priority', `the link drops sort=priority: ${link}`);
  const rows = [];
  for (let next = `/staff/tickets?q=${PW}&sort=priority`; next;) {
    const r = await admin.get(next);
    rows.push(...queueRows(r.body));
    next = olderLink(r.body);
  }
  assert.equal(rows.length, 30);
  assert.equal(new Set(rows.map((x) => x.number)).size, 30, 'a ticket is listed twice');
  const order = rows.map((x) => x.priority);
  assert.deepEqual(order, [...Array(10).fill('high'), ...Array(10).fill('medium'), ...Array(10).fill('low')], order.join(' '));
});

test('a page URL is bookmarkable: page 2 answers the same twice, with a "← Mais recentes" link', async () => {
  const next = olderLink((await admin.get(`/staff/tickets?q=${PW}`)).body);
  const a = await admin.get(next);
  const b = await admin.get(next);
  assert.deepEqual(queueNumbers(a.body), queueNumbers(b.body));
  assert.match(a.body, /← Mais recentes<\/a>/, 'no link back to the first page');
});

test('a malformed after= answers 400', async () => {
  for (const after of ['abc', '1.2', '0.1', '3.1.1', '1.1.0', '-1.2.3', '1.-2.3', '1.2.3x', '1.2.3.4', '']) {
    const r = await admin.get(`/staff/tickets?after=${encodeURIComponent(after)}`);
    assert.equal(r.status, 400, `after=${after} answered ${r.status}`);
  }
});

// ---- reply -------------------------------------------------------------------------

const RW = uniqueWord('RESP');
let R; // {number, replySubmission}

test('a staff reply with a PNG answers 303 to the ticket with "Sua resposta foi enviada." and the status becomes Respondido', async () => {
  R = { number: await open(maria, { subject: `Erro ao enviar e-mail ${uniqueWord("S")}`, message: 'Meus e-mails voltam com erro.' }) };
  const page = await admin.get(`/staff/tickets/${R.number}`);
  R.submission = formInput(page.body, 'submission', `/staff/tickets/${R.number}/reply`);
  const r = await staffReply(admin, R.number, `Olá Maria,\n\nAjustamos o **SPF** do domínio. ${RW}`,
    { files: [file('spf.png', PNG, { type: 'image/png' })], page: page.body });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, `/staff/tickets/${R.number}`);
  const after = await admin.get(r.location);
  assert.equal(flash(after.body), 'Sua resposta foi enviada.');
  assert.equal(ticketMeta(after.body).status, 'answered');
  assert.equal(ticketMeta(after.body).statusLabel, 'Respondido');
  const last = messages(after.body).at(-1);
  assert.ok(last.classes.includes('from-staff') && !last.internal, `classes: ${last.classes}`);
  assert.equal(last.author, 'Ana Lima');
  assert.match(last.bodyHtml, /<strong>SPF<\/strong>/, 'the Markdown is not rendered');
  assert.deepEqual(last.attachments.map((a) => a.name), ['spf.png']);
});

test('the client sees the reply, its author, the attachment (same bytes) and the status Respondido', async () => {
  const r = await maria.get(`/tickets/${R.number}`);
  const last = messages(r.body).at(-1);
  assert.ok(last.text.includes(RW), `last message: ${last.text}`);
  assert.equal(last.author, 'Ana Lima');
  assert.match(mainText(r.body), /Respondido/);
  const a = last.attachments[0];
  assert.ok(a, 'no attachment link for the client');
  const dl = await s.fetch(a.url, { headers: { Cookie: maria.cookieHeader() } });
  assert.equal(dl.status, 200, `GET ${a.url} as the client`);
  const bytes = Buffer.from(await dl.arrayBuffer());
  assert.ok(bytes.equals(PNG), 'the client downloads other bytes');
});

test('the client gets an email: [Ticket ID: N] subject, the marker line above the reply text, and a link to the ticket', async () => {
  const [m] = await waitForMail(s.dataDir, (x) => x.toAddresses.includes(CLIENT.email) && (x.text || '').includes(RW),
    { what: `the reply email for #${R.number}` });
  assert.match(m.subject, new RegExp(`^\\[Ticket ID: ${R.number}\\] `), m.subject);
  const text = m.text;
  const marker = text.indexOf('##- Por favor, responda acima desta linha -##');
  assert.ok(marker >= 0, `no marker line in:\n${text}`);
  assert.ok(marker < text.indexOf(RW), 'the marker line is not above the reply text');
  assert.ok(text.includes('Ajustamos o **SPF** do domínio.') || text.includes('Ajustamos o SPF do domínio.'), text);
  assert.ok(m.links.some((l) => l.endsWith(`/tickets/${R.number}`)), `links: ${m.links.join(' ')}`);
});

test('sending the same reply twice (same submission key) adds one message and one email', async () => {
  const before = messages((await admin.get(`/staff/tickets/${R.number}`)).body).length;
  const r = await staffReply(admin, R.number, `Olá Maria,\n\nAjustamos o **SPF** do domínio. ${RW}`, { submission: R.submission, seen: '0' });
  assert.equal(r.status, 303, describeResponse(r));
  const after = messages((await admin.get(`/staff/tickets/${R.number}`)).body).length;
  assert.equal(after, before, 'the repeated reply was added again');
  await sleep(400);
  assert.equal(mailsTo(CLIENT.email).filter((m) => (m.text || '').includes(RW)).length, 1, 'a second email went out');
});

test('a blank reply answers 422 with "Escreva uma mensagem." and changes nothing', async () => {
  await staffUpdate(admin, R.number, { status: 'in-progress' });
  const r = await staffReply(admin, R.number, '  \n ');
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(alerts(r.body).some((a) => a.includes('Escreva uma mensagem.')), `alerts: ${alerts(r.body)}`);
  assert.equal(ticketMeta((await admin.get(`/staff/tickets/${R.number}`)).body).status, 'in-progress');
});

// ---- notes --------------------------------------------------------------------------

const NOTE = uniqueWord('NOTASECRETA');
const NOTE_FILE = `${uniqueWord('anexo-interno').toLowerCase()}.png`;
let noteAttachment; // {url, id}

test('an internal note answers 303 with "A nota foi adicionada.", shows as "Nota interna" (class internal), and keeps the status', async () => {
  const before = ticketMeta((await admin.get(`/staff/tickets/${R.number}`)).body).status;
  const r = await staffNote(admin, R.number, `Cliente usa o plano antigo. ${NOTE}`,
    { files: [file(NOTE_FILE, PNG2, { type: 'image/png' })] });
  assert.equal(r.status, 303, describeResponse(r));
  const page = await admin.get(r.location);
  assert.equal(flash(page.body), 'A nota foi adicionada.');
  const note = messages(page.body).find((m) => m.text.includes(NOTE));
  assert.ok(note, 'the note is not in the thread');
  assert.ok(note.internal, `the note has classes ${note.classes}`);
  assert.equal(note.role, 'Nota interna');
  assert.equal(ticketMeta(page.body).status, before, 'a note changed the status');
  noteAttachment = note.attachments.find((a) => a.name === NOTE_FILE);
  assert.ok(noteAttachment, 'the note has no attachment link');
  const dl = await s.fetch(noteAttachment.url, { headers: { Cookie: admin.cookieHeader() } });
  assert.equal(dl.status, 200);
  assert.ok(Buffer.from(await dl.arrayBuffer()).equals(PNG2), 'staff download other bytes');
});

test('the client never sees the note: not on the ticket, not in the list, and its attachment answers 404 at the client URL', async () => {
  const page = await maria.get(`/tickets/${R.number}`);
  assert.equal(page.status, 200);
  assert.ok(!page.body.includes(NOTE), 'the note text is on the client page');
  assert.ok(!page.body.includes(NOTE_FILE), 'the note attachment name is on the client page');
  assert.ok(!/class="[^"]*internal/.test(page.body), 'an internal item on the client page');
  for (const p of ['/tickets', '/tickets?status=all', '/']) {
    const r = await maria.get(p);
    assert.ok(!r.body.includes(NOTE), `the note text is on ${p}`);
  }
  for (const url of [`/tickets/${R.number}/attachments/${noteAttachment.id}`,
    `/tickets/${R.number}/attachments/${noteAttachment.id}?inline=1`]) {
    const r = await maria.get(url);
    assert.equal(r.status, 404, `GET ${url} as the client answered ${r.status}`);
  }
});

test('a reply after the note emails the client the reply only; no email anywhere carries the note or its file', async () => {
  const after = uniqueWord('DEPOISDANOTA');
  const r = await staffReply(admin, R.number, `Pode testar de novo? ${after}`);
  assert.equal(r.status, 303, describeResponse(r));
  await waitForMail(s.dataDir, (m) => (m.text || '').includes(after), { what: 'the reply after the note' });
  await sleep(300);
  const leaks = mailHaystacks(s.dataDir).filter((h) => h.all.includes(NOTE) || h.all.includes(NOTE_FILE));
  assert.deepEqual(leaks.map((h) => `${h.to} | ${h.subject}`), [], 'emails carrying the note');
  assert.ok(mailsTo(CLIENT.email).length > 0);
});

test('a client reply after the note notifies staff; that email and the client page still hold no note', async () => {
  const page = await maria.get(`/tickets/${R.number}`);
  const word = uniqueWord('CLIENTE');
  const r = await postMultipart(maria, `/tickets/${R.number}/reply`,
    { submission: formInput(page.body, 'submission'), message: `Testei, funcionou. ${word}` });
  assert.equal(r.status, 303, describeResponse(r));
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(STAFF.email) && (m.text || '').includes(word), { what: 'the staff email about the client reply' });
  const leaks = mailHaystacks(s.dataDir).filter((h) => h.all.includes(NOTE));
  assert.deepEqual(leaks.map((h) => `${h.to} | ${h.subject}`), []);
  assert.ok(!(await maria.get(`/tickets/${R.number}`)).body.includes(NOTE));
});

// ---- changes --------------------------------------------------------------------------

let U;

test('changing the priority writes "Ana Lima mudou a prioridade de Média para Alta" in the thread', async () => {
  U = await open(maria, { subject: `Mudanças ${uniqueWord('U')}` });
  const r = await staffUpdate(admin, U, { priority: 'high' });
  assert.equal(r.status, 303, describeResponse(r));
  const page = await admin.get(r.location);
  assert.equal(flash(page.body), 'O ticket foi atualizado.');
  assert.equal(ticketMeta(page.body).priorityLabel, 'Alta');
  assert.deepEqual(events(page.body), ['Ana Lima mudou a prioridade de Média para Alta']);
});

test('status, assignee and department changes each write their event, in order', async () => {
  for (const ch of [{ status: 'in-progress' }, { assignee: adminId }, { assignee: 0 }, { department: 3 }]) {
    const r = await staffUpdate(admin, U, ch);
    assert.equal(r.status, 303, `${JSON.stringify(ch)}: ${describeResponse(r)}`);
  }
  const page = await admin.get(`/staff/tickets/${U}`);
  assert.deepEqual(events(page.body), [
    'Ana Lima mudou a prioridade de Média para Alta',
    'Ana Lima mudou o status de Aberto para Em andamento',
    'Ana Lima atribuiu o ticket a Ana Lima',
    'Ana Lima retirou o responsável Ana Lima',
    'Ana Lima moveu o ticket de Suporte Técnico para Vendas',
  ]);
  assert.match(ticketMeta(page.body).text, /Vendas/);
  assert.equal(selected(page.body, 'a-department'), '3');
  assert.equal(selected(page.body, 'a-assignee'), '0');
});

test('sending the changes form unchanged adds no event', async () => {
  const before = events((await admin.get(`/staff/tickets/${U}`)).body).length;
  const r = await staffUpdate(admin, U, {});
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(events((await admin.get(`/staff/tickets/${U}`)).body).length, before);
});

test('an unknown status, priority, department or assignee answers 422 "Essa alteração não é possível." and changes nothing', async () => {
  for (const ch of [{ status: 'deleted' }, { priority: 'urgent' }, { department: 999 }, { assignee: 999 }]) {
    const r = await staffUpdate(admin, U, { priority: 'low', ...ch });
    assert.equal(r.status, 422, `${JSON.stringify(ch)}: ${describeResponse(r)}`);
    assert.ok(alerts(r.body).some((a) => a.includes('Essa alteração não é possível.')), `${JSON.stringify(ch)}: ${alerts(r.body)}`);
  }
  const page = await admin.get(`/staff/tickets/${U}`);
  assert.equal(ticketMeta(page.body).priority, 'high', 'a refused form changed the priority');
  assert.equal(events(page.body).length, 5);
});

test('closing and reopening through the status: the client sees Fechado, then Aberto', async () => {
  let r = await staffUpdate(admin, U, { status: 'closed' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(mainText((await maria.get(`/tickets/${U}`)).body), /Fechado/);
  assert.ok(queueNumbers((await admin.get(`/staff/tickets?q=${U}&status=closed`)).body).includes(String(U)));
  r = await staffUpdate(admin, U, { status: 'open' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.doesNotMatch(mainText((await maria.get(`/tickets/${U}`)).body), /Fechado/);
  assert.deepEqual(events((await admin.get(`/staff/tickets/${U}`)).body).slice(-2), [
    'Ana Lima mudou o status de Em andamento para Fechado',
    'Ana Lima mudou o status de Fechado para Aberto',
  ]);
});

// ---- merge ---------------------------------------------------------------------------

let MA; let MB; const MW = uniqueWord('MESCLA'); const MNOTE = uniqueWord('NOTAMESCLA');

test('merging A into B answers 303 to B with "Os tickets foram mesclados."; B holds A\'s messages and attachment', async () => {
  MA = await open(maria, { subject: `Fatura ${MW}`, message: `Mensagem do ticket A ${MW}`, files: [file('fatura.png', PNG, { type: 'image/png' })] });
  MB = await open(maria, { subject: 'Fatura em dobro', message: 'Mensagem do ticket B' });
  const n = await staffNote(admin, MA, `Nota que vai junto ${MNOTE}`);
  assert.equal(n.status, 303);
  const r = await staffMerge(admin, MA, MB);
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, `/staff/tickets/${MB}`);
  const page = await admin.get(r.location);
  assert.equal(flash(page.body), 'Os tickets foram mesclados.');
  const texts = messages(page.body).map((m) => m.text);
  assert.ok(texts.some((t) => t.includes(`Mensagem do ticket A ${MW}`)), 'A\'s message did not move');
  assert.ok(texts.some((t) => t.includes('Mensagem do ticket B')));
  assert.ok(texts.some((t) => t.includes(MNOTE)), 'A\'s note did not move');
  const att = messages(page.body).flatMap((m) => m.attachments).find((a) => a.name === 'fatura.png');
  assert.ok(att, 'A\'s attachment is not on B');
  assert.ok(att.url.startsWith(`/staff/tickets/${MB}/attachments/`), att.url);
  const dl = await s.fetch(att.url, { headers: { Cookie: admin.cookieHeader() } });
  assert.equal(dl.status, 200);
  assert.ok(Buffer.from(await dl.arrayBuffer()).equals(PNG));
  assert.ok(events(page.body).includes(`Ana Lima mesclou o ticket #${MA} neste`), `events of B: ${events(page.body)}`);
});

test('the merged ticket A is closed and points to B', async () => {
  const page = await admin.get(`/staff/tickets/${MA}`);
  assert.equal(page.status, 200);
  assert.equal(ticketMeta(page.body).status, 'closed');
  assert.ok(events(page.body).includes(`Ana Lima mesclou este ticket em #${MB}`), `events of A: ${events(page.body)}`);
  assert.equal(messages(page.body).length, 0, 'messages left on A');
});

test('the client sees A\'s messages and attachment on B, never the note, and A as Fechado', async () => {
  const b = await maria.get(`/tickets/${MB}`);
  assert.ok(b.body.includes(`Mensagem do ticket A ${MW}`));
  assert.ok(!b.body.includes(MNOTE), 'the moved note is on the client page');
  const att = messages(b.body).flatMap((m) => m.attachments).find((x) => x.name === 'fatura.png');
  assert.ok(att, 'no attachment on B for the client');
  assert.equal((await maria.get(att.url)).status, 200);
  const a = await maria.get(`/tickets/${MA}`);
  assert.equal(a.status, 200, describeResponse(a));
  assert.match(mainText(a.body), /Fechado/);
});

test('the client\'s page of A says it was merged into B, with a link, and offers no reply box', async () => {
  const a = await maria.get(`/tickets/${MA}`);
  assert.match(mainText(a.body), new RegExp(`Este ticket foi unido ao #${MB}`));
  assert.ok(a.body.includes(`href="/tickets/${MB}"`), 'no link to the surviving ticket');
  assert.ok(!a.body.includes(`action="/tickets/${MA}/reply"`), 'a reply box on a merged-away ticket');
});

test('a reply to the merged-away ticket A lands on B, and A stays closed', async () => {
  const word = uniqueWord('APOSUNIAO');
  await maria.get(`/tickets/${MB}`); // a page with a CSRF token
  const r = await postMultipart(maria, `/tickets/${MA}/reply`, { message: `Resposta enviada para A ${word}` });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, `/tickets/${MB}#latest`);
  const b = await maria.get(`/tickets/${MB}`);
  assert.ok(b.body.includes(word), 'the reply is not on B');
  const a = await admin.get(`/staff/tickets/${MA}`);
  assert.equal(ticketMeta(a.body).status, 'closed', 'the reply reopened the empty ticket');
  assert.equal(messages(a.body).length, 0);
});

test('a staff reply to the merged-away ticket A lands on B too, and the answer leads to B', async () => {
  const word = uniqueWord('EQUIPEAPOSUNIAO');
  const r = await staffReply(admin, MA, `Resposta da equipe para A ${word}`, { seen: '0', submission: 's'.repeat(43) });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, `/staff/tickets/${MB}`);
  const b = await admin.get(`/staff/tickets/${MB}`);
  assert.ok(messages(b.body).some((m) => m.text.includes(word)), 'the reply is not on B');
  assert.equal(messages((await admin.get(`/staff/tickets/${MA}`)).body).length, 0, 'the reply stayed on A');
});

test('merging into itself or into a ticket that does not exist answers 422 and changes nothing', async () => {
  const X = await open(maria, { subject: `Sozinho ${uniqueWord('X')}` });
  for (const into of [X, 999999, 'abc', '']) {
    const r = await staffMerge(admin, X, into);
    assert.equal(r.status, 422, `into=${into}: ${describeResponse(r)}`);
    assert.ok(alerts(r.body).some((a) => /Informe o número de outro ticket/.test(a)), `into=${into}: alerts ${JSON.stringify(alerts(r.body))}`);
  }
  const page = await admin.get(`/staff/tickets/${X}`);
  assert.equal(ticketMeta(page.body).status, 'open');
  assert.equal(messages(page.body).length, 1);
});

// ---- two staff on one ticket -----------------------------------------------------------

let agent; // a second staff member in Suporte Técnico

test('a reply after the client wrote since the page opened answers 409, keeps the text and saves nothing', async () => {
  const C = await open(maria, { subject: `Colisão ${uniqueWord('C')}` });
  const page = await admin.get(`/staff/tickets/${C}`);
  const cp = await maria.get(`/tickets/${C}`);
  const w = uniqueWord('NOVIDADE');
  await postMultipart(maria, `/tickets/${C}/reply`, { submission: formInput(cp.body, 'submission'), message: `Mais um detalhe ${w}` });
  const mine = uniqueWord('CRUZADA');
  const r = await staffReply(admin, C, `Resposta escrita antes ${mine}`, { page: page.body });
  assert.equal(r.status, 409, describeResponse(r));
  assert.ok(mainText(r.body).includes('Enviar minha resposta mesmo assim'), 'no confirmation checkbox');
  assert.match(r.body, /<input type="checkbox" name="confirm" value="1">/);
  assert.equal(textareaById(r.body, 'reply'), `Resposta escrita antes ${mine}`, 'the reply text was lost');
  assert.ok(messages(r.body).some((m) => m.text.includes(w)), 'the 409 page does not show the new client message');
  assert.ok(!(await maria.get(`/tickets/${C}`)).body.includes(mine), 'the crossing reply was saved');
  await sleep(400);
  assert.deepEqual(mailHaystacks(s.dataDir).filter((h) => h.all.includes(mine)).map((h) => `${h.to} | ${h.subject}`), [],
    'an email went out for the refused reply');
  // With the box ticked it goes.
  const ok = await staffReply(admin, C, `Resposta escrita antes ${mine}`, { page: page.body, confirm: true });
  assert.equal(ok.status, 303, describeResponse(ok));
  const after = await admin.get(`/staff/tickets/${C}`);
  assert.equal(messages(after.body).filter((m) => m.text.includes(mine)).length, 1);
  assert.equal(ticketMeta(after.body).status, 'answered');
  await waitForMail(s.dataDir, (m) => (m.text || '').includes(mine), { what: 'the confirmed reply' });
});

test('two staff: the second reply from a page opened before the first answers 409; confirm=1 sends it', async () => {
  agent = await createStaff(admin, { name: 'Bruno Costa', email: `bruno.${uniqueWord('a').toLowerCase()}@exemplo.com.br`, departments: [1] });
  const C = await open(maria, { subject: `Dois atendentes ${uniqueWord('D')}` });
  const adminPage = await admin.get(`/staff/tickets/${C}`);
  const agentPage = await agent.client.get(`/staff/tickets/${C}`);
  assert.equal(agentPage.status, 200);
  let r = await staffReply(agent.client, C, 'Bruno responde primeiro.', { page: agentPage.body });
  assert.equal(r.status, 303, describeResponse(r));
  r = await staffReply(admin, C, 'Ana responde sem ver.', { page: adminPage.body });
  assert.equal(r.status, 409, describeResponse(r));
  assert.ok(messages(r.body).some((m) => m.text.includes('Bruno responde primeiro.')));
  r = await staffReply(admin, C, 'Ana responde sem ver.', { page: adminPage.body, confirm: true });
  assert.equal(r.status, 303, describeResponse(r));
  const texts = messages((await maria.get(`/tickets/${C}`)).body).map((m) => `${m.author}: ${m.text}`);
  assert.deepEqual(texts.slice(-2), ['Bruno Costa: Bruno responde primeiro.', 'Ana Lima: Ana responde sem ver.']);
});

test('a note added by someone else since the page opened does not ask for confirmation', async () => {
  const C = await open(maria, { subject: `Nota no meio ${uniqueWord('N')}` });
  const adminPage = await admin.get(`/staff/tickets/${C}`);
  assert.equal((await staffNote(agent.client, C, 'Bruno deixa uma nota.')).status, 303);
  const r = await staffReply(admin, C, 'Ana responde.', { page: adminPage.body });
  assert.equal(r.status, 303, describeResponse(r));
});

// ---- predefined replies -------------------------------------------------------------------

test('?predefined=ID puts the predefined reply of the ticket\'s department (or of all departments) in the reply box', async () => {
  const body = `Olá!\n\nReiniciamos o **servidor** às 10h. <ok> & "pronto" ${uniqueWord('PRE')}`;
  const p1 = await createPredefined(admin, { title: 'Reinício do servidor', body, department: 1 });
  const p2 = await createPredefined(admin, { title: 'Segunda via do boleto', body: 'Segue o boleto.', department: 2 });
  const p0 = await createPredefined(admin, { title: 'Encerramento', body: 'Podemos encerrar?', department: 0 });
  const T = await open(maria, { subject: `Predefinida ${uniqueWord('P')}`, department: 1 });
  const page = await admin.get(`/staff/tickets/${T}`);
  const offered = (selectOptions(page.body, 'predefined') || []).map((o) => o.text);
  assert.ok(offered.includes('Reinício do servidor') && offered.includes('Encerramento'), `offered: ${offered}`);
  assert.ok(!offered.includes('Segunda via do boleto'), 'a Financeiro reply is offered on a Suporte Técnico ticket');
  assert.equal(textareaById(page.body, 'reply'), '');
  const ins = await admin.get(`/staff/tickets/${T}?predefined=${p1}`);
  assert.equal(ins.status, 200);
  assert.equal(textareaById(ins.body, 'reply'), body);
  assert.equal(textareaById((await admin.get(`/staff/tickets/${T}?predefined=${p0}`)).body, 'reply'), 'Podemos encerrar?');
  assert.equal(textareaById((await admin.get(`/staff/tickets/${T}?predefined=${p2}`)).body, 'reply'), '', 'another department\'s reply was inserted');
  assert.equal((await admin.get(`/staff/tickets/${T}?predefined=abc`)).status, 200);
  const r = await staffReply(admin, T, body, { page: ins.body });
  assert.equal(r.status, 303, describeResponse(r));
  await waitForMail(s.dataDir, (m) => m.subject.includes(`[Ticket ID: ${T}]`) && (m.text || '').includes('Reiniciamos o **servidor**'),
    { what: 'the email of the predefined reply' });
});

test('the ticket page\'s replies, staff and departments follow an admin\'s change at once on every thread', async () => {
  const T = await open(maria, { subject: `Escolhas ${uniqueWord('E')}`, department: 1 });
  const title = `Prazo ${uniqueWord('PZ')}`;
  const id = await createPredefined(admin, { title, body: 'Em até 24 horas.', department: 1 });
  // Many views, so that every worker thread has the page's lists at hand.
  const views = async (check) => {
    for (let i = 0; i < 24; i++) check((await admin.get(`/staff/tickets/${T}`)).body);
  };
  const texts = (html, name) => (selectOptions(html, name) || []).map((o) => o.text);
  await views((html) => assert.ok(texts(html, 'predefined').includes(title), 'the new reply is not offered'));
  const renamed = `${title} (novo)`;
  await admin.get(`/staff/admin/replies/${id}`);
  assert.equal((await admin.post(`/staff/admin/replies/${id}`, { title: renamed, body: 'Em até 24 horas.', department: '1' })).status, 303);
  await views((html) => {
    assert.ok(texts(html, 'predefined').includes(renamed), 'a thread kept the reply\'s old title');
  });
  assert.equal((await admin.post(`/staff/admin/replies/${id}/delete`, {})).status, 303);
  const name = `Agente ${uniqueWord('AG')}`;
  await createStaff(admin, { name, email: `${uniqueWord('ag').toLowerCase()}@exemplo.com.br`, departments: [1], signIn: false });
  await views((html) => {
    assert.ok(!texts(html, 'predefined').includes(renamed), 'a thread still offers the deleted reply');
    assert.ok(texts(html, 'a-assignee').includes(name), 'a thread does not offer the new staff member');
  });
});

test('"Insert" without JavaScript posts the typed text and brings it back with the predefined reply after it', async () => {
  const word = uniqueWord('DIGITADO');
  const p = await createPredefined(admin, { title: `Assinatura ${uniqueWord('A')}`, body: 'Atenciosamente,\nEquipe de Suporte', department: 0 });
  const T = await open(maria, { subject: `Inserir ${uniqueWord('I')}`, department: 1 });
  const page = await admin.get(`/staff/tickets/${T}`);
  const typed = `Olá, Maria! Já verificamos o problema ${word}.`;
  const r = await postMultipart(admin, `/staff/tickets/${T}/insert`, {
    submission: formInput(page.body, 'submission'), seen: formInput(page.body, 'seen'), predefined: String(p), insert: '1', message: typed,
  });
  assert.equal(r.status, 200, describeResponse(r));
  assert.equal(textareaById(r.body, 'reply'), `${typed}\n\nAtenciosamente,\nEquipe de Suporte`);
  const thread = await admin.get(`/staff/tickets/${T}`);
  assert.ok(!thread.body.includes(word), 'inserting sent the reply');
});

// ---- related tickets and splits -------------------------------------------------------------

test('linking two tickets shows each on the other with an audit entry; removing the link takes it away', async () => {
  const A = await open(maria, { subject: `Relacionado A ${uniqueWord('L')}` });
  const B = await open(maria, { subject: `Relacionado B ${uniqueWord('L')}` });
  await admin.get(`/staff/tickets/${A}`);
  const r = await admin.post(`/staff/tickets/${A}/links`, { other: `#${B}` });
  assert.equal(r.status, 303, describeResponse(r));
  const related = (html) => /<section class="box related">[\s\S]*?<\/section>/.exec(html)?.[0] || '';
  const a = await admin.get(`/staff/tickets/${A}`);
  const b = await admin.get(`/staff/tickets/${B}`);
  assert.ok(related(a.body).includes(`<a href="/staff/tickets/${B}">#${B}</a>`), 'B is not listed on A');
  assert.ok(related(b.body).includes(`<a href="/staff/tickets/${A}">#${A}</a>`), 'A is not listed on B');
  assert.ok(events(a.body).includes(`Ana Lima relacionou este ticket ao #${B}`), `events: ${events(a.body)}`);
  const self = await admin.post(`/staff/tickets/${A}/links`, { other: A });
  assert.equal(self.status, 422);
  const gone = await admin.post(`/staff/tickets/${A}/links`, { other: B, remove: '1' });
  assert.equal(gone.status, 303);
  const after = await admin.get(`/staff/tickets/${A}`);
  assert.ok(!related(after.body).includes(`#${B}`), 'the link is still shown');
  assert.ok(events(after.body).includes(`Ana Lima removeu a relação com o #${B}`));
});

test('splitting from a later message moves it and the ones after it to a new linked ticket of the same client', async () => {
  const word = uniqueWord('SEP');
  const T = await open(maria, { subject: `Dois assuntos ${word}`, message: 'Primeiro assunto: o site.' });
  const r1 = await staffReply(admin, T, 'Resposta sobre o site.');
  assert.equal(r1.status, 303);
  await maria.get(`/tickets/${T}`);
  const second = await postMultipart(maria, `/tickets/${T}/reply`, { message: `Outro assunto: o e-mail ${word}` });
  assert.equal(second.status, 303);
  const page = await admin.get(`/staff/tickets/${T}`);
  const splits = [...page.body.matchAll(/href="(\/staff\/tickets\/\d+\/split\?message=(\d+))"/g)];
  assert.equal(splits.length, 2, 'every message but the first offers a split');
  const last = splits[1];
  const form = await admin.get(last[1].replaceAll('&amp;', '&'));
  assert.equal(form.status, 200);
  const r = await admin.post(`/staff/tickets/${T}/split`, { message: last[2], subject: `E-mail ${word}` });
  assert.equal(r.status, 303, describeResponse(r));
  const N = /\/staff\/tickets\/(\d+)$/.exec(r.location)[1];
  assert.notEqual(N, T);
  const newPage = await admin.get(`/staff/tickets/${N}`);
  const texts = messages(newPage.body).map((m) => m.text);
  assert.deepEqual(texts.length, 1);
  assert.ok(texts[0].includes(`Outro assunto: o e-mail ${word}`));
  assert.ok(/<section class="box related">[\s\S]*?<\/section>/.exec(newPage.body)[0].includes(`#${T}`), 'the parts are not linked');
  const old = await admin.get(`/staff/tickets/${T}`);
  assert.equal(messages(old.body).length, 2, 'the earlier messages did not stay');
  assert.ok(events(old.body).includes(`Ana Lima separou as mensagens seguintes no ticket #${N}`), `events: ${events(old.body)}`);
  const mine = await maria.get(`/tickets/${N}`);
  assert.equal(mine.status, 200, 'the client does not see the new ticket');
  const bad = await admin.post(`/staff/tickets/${T}/split`, { message: '999999999', subject: '' });
  assert.equal(bad.status, 422, `splitting at a message of no ticket: ${describeResponse(bad)}`);
});

// ---- a ticket on a client's behalf ------------------------------------------------------------

let mariaId;

test('GET /staff/tickets/new?client=ID shows the client and their services; unknown clients answer 404', async () => {
  mariaId = await clientId(admin, CLIENT.email);
  const r = await admin.get(`/staff/tickets/new?client=${mariaId}`);
  assert.equal(r.status, 200, describeResponse(r));
  assert.ok(mainText(r.body).includes(`Maria Souza <${CLIENT.email}>`), mainText(r.body).slice(0, 300));
  assert.ok((selectOptions(r.body, 'service') || []).some((o) => o.text === SERVICES[1]), 'Maria\'s services are not offered');
  for (const q of ['999999', 'abc', '', '0']) {
    assert.equal((await admin.get(`/staff/tickets/new?client=${q}`)).status, 404, `client=${q}`);
  }
});

test('opening a ticket for a client answers 303 to it; the client sees it and gets the confirmation email', async () => {
  const subject = `Aberto pela equipe ${uniqueWord('E')}`;
  const form = await admin.get(`/staff/tickets/new?client=${mariaId}`);
  const r = await postMultipart(admin, '/staff/tickets/new', {
    submission: formInput(form.body, 'submission'), client: mariaId, department: 2, priority: 'high', service: 1,
    subject, message: 'Conforme conversamos por telefone, segue a segunda via.',
  });
  assert.equal(r.status, 303, describeResponse(r));
  const number = /^\/staff\/tickets\/(\d+)$/.exec(r.location || '')?.[1];
  assert.ok(number, `Location: ${r.location}`);
  const page = await admin.get(r.location);
  assert.match(page.body, new RegExp(`<h1><span class="number">#${number}</span> ${subject}</h1>`));
  assert.equal(ticketMeta(page.body).priority, 'high');
  assert.match(ticketMeta(page.body).text, /Financeiro/);
  assert.equal(messages(page.body)[0]?.author, 'Ana Lima', 'the first message is not the staff member\'s');
  assert.ok(queueNumbers((await admin.get(`/staff/tickets?q=${number}`)).body).includes(number));
  const list = await maria.get('/tickets');
  assert.ok(list.body.includes(`/tickets/${number}"`), 'the client does not see the ticket in the list');
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) && m.subject.startsWith(`[Ticket ID: ${number}]`),
    { what: 'the confirmation email of the ticket opened for Maria' });
});

test('opening for a client without a subject answers 422 with the field error and the message kept', async () => {
  const form = await admin.get(`/staff/tickets/new?client=${mariaId}`);
  const r = await postMultipart(admin, '/staff/tickets/new', {
    submission: formInput(form.body, 'submission'), client: mariaId, department: 1, priority: 'medium', service: 0,
    subject: '', message: 'Texto que não pode se perder',
  });
  assert.equal(r.status, 422, describeResponse(r));
  assert.match(r.body, /id="subject-error">Escreva um assunto\.</);
  assert.equal(textareaById(r.body, 'message'), 'Texto que não pode se perder');
});

// ---- dashboard ----------------------------------------------------------------------------

test('the dashboard counts by department and status agree with the queue', async () => {
  const r = await admin.get('/staff');
  assert.equal(r.status, 200);
  const counts = dashboardCounts(r.body);
  assert.deepEqual(Object.keys(counts).sort(), ['Financeiro', 'Suporte Técnico', 'Vendas']);
  for (const [name, { id, counts: byStatus }] of Object.entries(counts)) {
    for (const [st, n] of Object.entries(byStatus)) {
      const listedN = (await allPages(admin, `/staff/tickets?department=${id}&status=${st}`)).length;
      assert.equal(n, listedN, `${name} / ${st}: the dashboard says ${n}, the queue lists ${listedN}`);
    }
  }
});

test('the dashboard lists the oldest waiting tickets, oldest first, each waiting for us', async () => {
  const r = await admin.get('/staff');
  const items = [...r.body.matchAll(/<li><a href="\/staff\/tickets\/(\d+)">[\s\S]*?<time datetime="([^"]+)"/g)];
  assert.ok(items.length > 0, 'no oldest waiting tickets');
  const times = items.map((m) => Date.parse(m[2].replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'not oldest first');
  const waiting = new Set(await allPages(admin, '/staff/tickets?status=open&status=customer-reply'));
  for (const m of items) assert.ok(waiting.has(m[1]), `#${m[1]} is listed as waiting but is not open or customer-reply`);
});

test('the dashboard chart is an SVG of 30 days with opened and closed bars; the totals match the tickets', async () => {
  const r = await admin.get('/staff');
  const svg = /<svg[\s\S]*?<\/svg>/.exec(r.body)?.[0];
  assert.ok(svg, 'no <svg>');
  assert.match(svg, /role="img"/);
  assert.match(svg, /<desc id="chart-desc">/);
  assert.equal((svg.match(/<rect [^>]*class="opened"/g) || []).length, 30);
  assert.equal((svg.match(/<rect [^>]*class="closed"/g) || []).length, 30);
  const legend = /<p class="legend">([\s\S]*?)<\/p>/.exec(r.body)?.[1] || '';
  const [opened, closed] = [...pageText(legend).matchAll(/:\s*(\d+)/g)].map((m) => Number(m[1]));
  const statuses = '&status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed';
  const all = await allPages(admin, `/staff/tickets?x=1${statuses}`);
  assert.equal(opened, all.length, `the chart says ${opened} opened; the queue holds ${all.length} tickets, all opened today`);
  // Closed today: every ticket closed now (one of them by a merge), plus one closed and reopened.
  const closedNow = (await allPages(admin, '/staff/tickets?status=closed')).length;
  assert.equal(closed, closedNow + 1, `the chart says ${closed} closed today; expected ${closedNow + 1}: the ${closedNow} ` +
    'tickets closed now (one by merging it into another) and one closed and reopened');
});

// ---- auto-close -------------------------------------------------------------------------

async function saveSettings(changes) {
  const page = await admin.get('/staff/admin/settings');
  const b = page.body;
  const form = {};
  for (const name of ['company_name', 'brand_color', 'auto_close_days', 'ticket_number_digits',
    'attachment_max_files', 'attachment_max_mb', 'attachment_extensions']) form[name] = formInput(b, name) ?? '';
  for (const name of ['show_powered_by', 'registration_open']) {
    if (new RegExp(`name="${name}"[^>]*checked`).test(b)) form[name] = '1';
  }
  const r = await admin.post('/staff/admin/settings', { ...form, ...changes });
  assert.equal(r.status, 303, `saving settings ${JSON.stringify(changes)}: ${describeResponse(r)}`);
}

const AUTO = 'Este ticket foi fechado automaticamente após 7 dias sem resposta. Responda para reabri-lo.';

test('a ticket answered a moment ago is still Respondido after maintenance passes, with auto-close at 1 day', async () => {
  await saveSettings({ auto_close_days: '1' });
  const T = await open(maria, { subject: `Recém respondido ${uniqueWord('AC')}` });
  assert.equal((await staffReply(admin, T, 'Respondido agora.')).status, 303);
  await sleep(2500); // CHAMADO_MAINTENANCE_INTERVAL=1
  assert.equal(ticketMeta((await admin.get(`/staff/tickets/${T}`)).body).status, 'answered');
});

test('a ticket answered 8 days ago (last_reply_at set back in the database) closes with a system message the client sees too', async () => {
  await saveSettings({ auto_close_days: '7' });
  const T = await open(maria, { subject: `Esquecido ${uniqueWord('AC')}` });
  assert.equal((await staffReply(admin, T, 'Pode confirmar?')).status, 303);
  const ago = Math.floor(Date.now() / 1000) - 8 * 86400;
  runSql(s, `UPDATE tickets SET last_reply_at = ${ago} WHERE number = ${Number(T)}`);
  await waitFor(async () => ticketMeta((await admin.get(`/staff/tickets/${T}`)).body).status === 'closed',
    { timeoutMs: 30000, intervalMs: 250, message: `#${T} to be closed by auto-close` });
  const page = await admin.get(`/staff/tickets/${T}`);
  const last = messages(page.body).at(-1);
  assert.ok(last.classes.includes('from-system'), `last message classes: ${last.classes}`);
  assert.equal(last.text, AUTO);
  assert.ok(events(page.body).includes('O sistema mudou o status de Respondido para Fechado'), `events: ${events(page.body)}`);
  const client = await maria.get(`/tickets/${T}`);
  assert.ok(pageText(client.body).includes(AUTO), 'the client does not see the auto-close message');
  assert.match(mainText(client.body), /Fechado/);
});

test('with auto-close at 0 (never), a ticket answered 30 days ago stays Respondido', async () => {
  await saveSettings({ auto_close_days: '0' });
  const T = await open(maria, { subject: `Nunca fechar ${uniqueWord('AC')}` });
  assert.equal((await staffReply(admin, T, 'Respondido.')).status, 303);
  runSql(s, `UPDATE tickets SET last_reply_at = ${Math.floor(Date.now() / 1000) - 30 * 86400} WHERE number = ${Number(T)}`);
  await sleep(2500);
  assert.equal(ticketMeta((await admin.get(`/staff/tickets/${T}`)).body).status, 'answered');
  await saveSettings({ auto_close_days: '7' });
});

test('the server exits with code 0 on SIGTERM, without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});
