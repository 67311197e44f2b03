// The client's ticket flow over HTTP: Abrir Ticket (departments, the form, its
// validation and upload limits, double submit), the emails it sends, Meus
// Tickets de Suporte (filters, keyset pagination, the menu count), a ticket
// (Markdown safety, attachments as downloads), replies, closing and reopening.
// Access control between clients is in tickets-access.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, runSql } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { addUser, mainText, pageText, decodeEntities, describeResponse } from '../lib/accounts.mjs';
import { postMultipart, file } from '../lib/multipart.mjs';
import {
  CLIENT, STAFF, DEPARTMENTS, SERVICES, PNG, PNG2, PDF, TEXT, HTML,
  ticketForm, openTicket, listedNumbers, mailFiles, waitForMail,
} from '../lib/fixtures.mjs';

let s;
let maria; // the demo client, signed in

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});
after(async () => {
  if (s) await s.stop();
});

// ---- small readers ----------------------------------------------------------------

function main(html) {
  const m = /<main[\s\S]*?<\/main>/i.exec(html);
  return m ? m[0] : '';
}

/** The opening tag of the element with this id, or null. */
function tagById(html, id) {
  const m = new RegExp(`<(input|select|textarea|button)\\b[^>]*\\bid="${id}"[^>]*>`, 'i').exec(html);
  return m ? m[0] : null;
}

function attr(tag, name) {
  const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag || '');
  return m ? decodeEntities(m[1]) : null;
}

/** The text of the <label for=id>, or null. */
function labelFor(html, id) {
  const m = new RegExp(`<label\\b[^>]*\\bfor="${id}"[^>]*>([\\s\\S]*?)</label>`, 'i').exec(html);
  return m ? pageText(m[1]) : null;
}

/** The <option>s of the <select id=id>: [{value, text, selected}]. */
function options(html, id) {
  const m = new RegExp(`<select\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</select>`, 'i').exec(html);
  if (!m) return null;
  return [...m[1].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((o) => ({
    value: attr(o[1], 'value'), text: pageText(o[2]), selected: /\bselected\b/i.test(o[1]),
  }));
}

function textareaValue(html, id) {
  const m = new RegExp(`<textarea\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`, 'i').exec(html);
  return m ? decodeEntities(m[1]) : null;
}

/** The error message tied to a field: its aria-describedby must name an element with the text. */
function fieldError(html, id) {
  const tag = tagById(html, id);
  const ids = (attr(tag, 'aria-describedby') || '').split(/\s+/).filter(Boolean);
  for (const d of ids) {
    const m = new RegExp(`<[a-z]+\\b[^>]*\\bid="${d}"[^>]*class="[^"]*field-error[^"]*"[^>]*>([\\s\\S]*?)</`, 'i').exec(html) ||
      new RegExp(`<[a-z]+\\b[^>]*class="[^"]*field-error[^"]*"[^>]*\\bid="${d}"[^>]*>([\\s\\S]*?)</`, 'i').exec(html);
    if (m) return pageText(m[1]);
  }
  return null;
}

function flash(html) {
  const m = /<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/i.exec(html);
  return m ? pageText(m[1]) : null;
}

/** The open-ticket count in the menu item "Meus Tickets de Suporte", or null without one. */
function menuCount(html) {
  const header = /<header[\s\S]*?<\/header>/i.exec(html)?.[0] || '';
  const item = /<a href="\/tickets"[^>]*>\s*Meus Tickets de Suporte\s*(<span class="count"[^>]*>\s*(\d+)\s*<\/span>)?/i.exec(header);
  if (!item) throw new Error('no "Meus Tickets de Suporte" menu item in the header');
  return item[2] === undefined ? null : Number(item[2]);
}

/** The ticket page's summary as {Status, Prioridade, Departamento, ...}. */
function summary(html) {
  const dl = /<dl class="summary">([\s\S]*?)<\/dl>/i.exec(html);
  const out = {};
  if (!dl) return out;
  for (const m of dl[1].matchAll(/<dt>([\s\S]*?)<\/dt>\s*<dd>([\s\S]*?)<\/dd>/gi)) out[pageText(m[1])] = pageText(m[2]);
  return out;
}

/** The thread's messages: [{author, html, text}] in page order. */
function thread(html) {
  const ol = /<ol class="thread">([\s\S]*?)<\/ol>/i.exec(html);
  if (!ol) return [];
  return ol[1].split(/<li class="message/).slice(1).map((li) => ({
    author: pageText(/<strong class="author">([\s\S]*?)<\/strong>/.exec(li)?.[1] || ''),
    html: /<div class="body">([\s\S]*?)<\/div>\s*(?:<ul class="attachments">|<\/li>)/.exec(li)?.[1] ?? li,
    raw: li,
    text: pageText(/<div class="body">([\s\S]*?)<\/div>/.exec(li)?.[1] || ''),
  }));
}

/** Attachment links of the page: [{url, name}] (download links, not the thumbnails). */
function attachmentLinks(html) {
  return [...html.matchAll(/<a href="(\/tickets\/\d+\/attachments\/\d+)" download>([^<]*)<\/a>/g)]
    .map((m) => ({ url: m[1], name: decodeEntities(m[2]) }));
}

/** The rows of the /tickets table: [{number, department, subject, status, time, title}]. */
function rows(html) {
  const table = /<table[\s\S]*?<\/table>/i.exec(html);
  if (!table) return [];
  return [...table[0].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].filter((r) => /<td/.test(r[1])).map((r) => {
    const cells = [...r[1].matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]);
    const time = /<time\b([^>]*)>([\s\S]*?)<\/time>/.exec(r[1]);
    return {
      number: /\/tickets\/(\d+)/.exec(r[1])?.[1],
      cells: cells.map(pageText),
      badge: /<span class="badge[^"]*">([\s\S]*?)<\/span>/.exec(r[1])?.[1],
      time: time ? pageText(time[2]) : null,
      title: time ? attr(time[1], 'title') : null,
      datetime: time ? attr(time[1], 'datetime') : null,
    };
  });
}

async function newClient(name = 'Cliente Teste') {
  const u = await addUser(s, { name, password: 'senha1234' });
  const c = await signIn(s, u.email, u.password);
  return { ...u, c };
}

const ERRORS = {
  subjectBlank: 'Escreva um assunto.',
  subjectLong: 'O assunto pode ter no máximo 200 caracteres.',
  service: 'Escolha um dos seus serviços, ou Nenhum.',
  priority: 'Escolha uma prioridade.',
  message: 'Escreva uma mensagem descrevendo o problema.',
  reply: 'Escreva sua resposta.',
};

// ---- Abrir Ticket ---------------------------------------------------------------------

test('signed out, GET /tickets/new and GET /tickets answer 303 to /login?next=<the page>', async () => {
  const anon = new Client(s);
  const a = await anon.get('/tickets/new');
  assert.equal(a.status, 303, describeResponse(a));
  assert.equal(a.location, '/login?next=/tickets/new');
  const b = await anon.get('/tickets');
  assert.equal(b.status, 303, describeResponse(b));
  assert.equal(b.location, '/login?next=/tickets');
});

test('a client who signs in is sent (303) to /tickets', async () => {
  const c = new Client(s);
  await c.get('/login');
  const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, '/tickets');
});

test('GET /tickets/new shows one card per department, each a link to /tickets/new?department=ID with the name', async () => {
  const r = await maria.get('/tickets/new');
  assert.equal(r.status, 200, describeResponse(r));
  const cards = [...main(r.body).matchAll(/<a class="card" href="\/tickets\/new\?department=(\d+)">([\s\S]*?)<\/a>/g)]
    .map((m) => [m[1], pageText(m[2])]);
  for (const [id, name] of Object.entries(DEPARTMENTS)) {
    const card = cards.find(([cid]) => cid === id);
    assert.ok(card, `no card linking to /tickets/new?department=${id}; cards: ${JSON.stringify(cards)}`);
    assert.ok(card[1].includes(name), `the card for department ${id} says "${card[1]}", not "${name}"`);
  }
});

test('the form of Suporte Técnico posts multipart to /tickets with csrf, a one-time submission key, the department, and a labelled field for each of Assunto, Serviço Relacionado, Prioridade, Mensagem and Anexos', async () => {
  const f = await ticketForm(maria, 1);
  assert.equal(f.status, 200, f.body.slice(0, 300));
  const html = main(f.body);
  const form = /<form\b[^>]*action="\/tickets"[^>]*>/i.exec(html)?.[0];
  assert.ok(form, 'no <form action="/tickets">');
  assert.equal(attr(form, 'method')?.toLowerCase(), 'post');
  assert.equal(attr(form, 'enctype'), 'multipart/form-data');
  assert.match(html, /<input type="hidden" name="csrf" value="[^"]{20,}">/);
  assert.match(f.submission || '', /^[A-Za-z0-9_-]{20,}$/, 'no hidden submission key');
  assert.match(html, /<input type="hidden" name="department" value="1"/);
  const expected = { subject: 'Assunto', service: 'Serviço Relacionado', priority: 'Prioridade', message: 'Mensagem', attachments: 'Anexos' };
  for (const [id, label] of Object.entries(expected)) {
    const tag = tagById(html, id);
    assert.ok(tag, `no field with id="${id}"`);
    assert.equal(attr(tag, 'name'), id, `the field id="${id}" has name="${attr(tag, 'name')}"`);
    const text = labelFor(html, id);
    assert.ok(text && text.startsWith(label), `<label for="${id}"> says "${text}", expected "${label}"`);
  }
  assert.match(tagById(html, 'message'), /^<textarea/);
  const att = tagById(html, 'attachments');
  assert.equal(attr(att, 'type'), 'file');
  assert.match(att, /\bmultiple\b/, 'the file input does not accept several files');
  assert.match(html, /<button type="submit"[^>]*>\s*Enviar\s*<\/button>/);
});

test('the priority select offers Baixa, Média (selected) and Alta; the service select offers Nenhum and the client\'s two services', async () => {
  const f = await ticketForm(maria, 1);
  assert.deepEqual(options(f.body, 'priority'), [
    { value: 'low', text: 'Baixa', selected: false },
    { value: 'medium', text: 'Média', selected: true },
    { value: 'high', text: 'Alta', selected: false },
  ]);
  assert.deepEqual(options(f.body, 'service').map(({ value, text }) => ({ value, text })), [
    { value: '0', text: 'Nenhum' }, { value: '1', text: SERVICES[1] }, { value: '2', text: SERVICES[2] },
  ]);
});

test('another client\'s form offers only Nenhum: none of Maria\'s services', async () => {
  const other = await newClient('Outro Cliente');
  const f = await ticketForm(other.c, 1);
  assert.equal(f.status, 200);
  assert.deepEqual(options(f.body, 'service').map((o) => o.value), ['0'],
    `options: ${JSON.stringify(options(f.body, 'service'))}`);
  assert.ok(!f.body.includes('mariasouza.com.br'), 'Maria\'s service appears on another client\'s form');
});

let first; // {number, subject, message} of the ticket opened through the form with three files
const FIRST_SUBJECT = 'Erro 500 na página de pagamento — ação urgente';
const FIRST_MESSAGE = 'Desde hoje cedo a página **/checkout** mostra erro 500.\n\nPassos: abrir o site e clicar em Pagar.';

test('a valid POST /tickets answers 303 to /tickets/<6 digits>, and the next page says "Ticket #N aberto com sucesso. Enviamos uma confirmação para cliente@exemplo.com.br." once', async () => {
  const t = await openTicket(maria, {
    subject: FIRST_SUBJECT, message: FIRST_MESSAGE, service: 1, priority: 'high',
    files: [file('tela.png', PNG, { type: 'image/png' }), file('fatura.pdf', PDF, { type: 'application/pdf' }),
      file('erro.log', TEXT, { type: 'text/plain' })],
  });
  assert.equal(t.status, 303, describeResponse(t));
  assert.match(t.location || '', /^\/tickets\/\d{6}$/, `Location: ${t.location}`);
  first = { number: t.number, subject: FIRST_SUBJECT, message: FIRST_MESSAGE };
  const r = await maria.get(t.location);
  assert.equal(r.status, 200);
  assert.equal(flash(r.body), `Ticket #${t.number} aberto com sucesso. Enviamos uma confirmação para ${CLIENT.email}.`);
  const again = await maria.get(t.location);
  assert.equal(flash(again.body), null, 'the flash message is shown again on the second visit');
});

test('the ticket page shows the subject, Suporte Técnico, the service, priority Alta, status Aberto and the first message by Maria Souza', async () => {
  assert.ok(first, 'no ticket from the previous test');
  const r = await maria.get(`/tickets/${first.number}`);
  assert.equal(r.status, 200);
  assert.ok(mainText(r.body).includes(`#${first.number}`), 'the number is not on the page');
  assert.match(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(r.body)?.[1] || '', new RegExp(FIRST_SUBJECT.slice(0, 20)));
  const sum = summary(r.body);
  assert.equal(sum.Departamento, 'Suporte Técnico', JSON.stringify(sum));
  assert.equal(sum['Serviço Relacionado'], SERVICES[1], JSON.stringify(sum));
  assert.equal(sum.Prioridade, 'Alta', JSON.stringify(sum));
  assert.equal(sum.Status, 'Aberto', JSON.stringify(sum));
  const th = thread(r.body);
  assert.equal(th.length, 1, `${th.length} messages in the thread`);
  assert.equal(th[0].author, CLIENT.name);
  assert.match(th[0].html, /<strong>\/checkout<\/strong>/, `the Markdown was not rendered: ${th[0].html}`);
  assert.match(th[0].raw, /<time\b[^>]*title="[^"]+"/, 'the message has no time with an exact title');
});

test('the three attachments are links /tickets/N/attachments/ID, and the PNG also shows as an <img> thumbnail with ?inline=1', async () => {
  const r = await maria.get(`/tickets/${first.number}`);
  const links = attachmentLinks(r.body);
  assert.deepEqual(links.map((l) => l.name), ['tela.png', 'fatura.pdf', 'erro.log']);
  for (const l of links) assert.match(l.url, new RegExp(`^/tickets/${first.number}/attachments/\\d+$`));
  const png = links[0].url;
  assert.match(r.body, new RegExp(`<img\\b[^>]*src="${png}\\?inline=1"`), 'no <img> thumbnail for tela.png');
  for (const l of links.slice(1)) {
    assert.doesNotMatch(r.body, new RegExp(`<img\\b[^>]*src="${l.url}`), `${l.name} is shown as an image`);
  }
  first.links = links;
});

test('an attachment downloads as its original bytes, with the detected Content-Type, Content-Disposition: attachment; filename and X-Content-Type-Options: nosniff', async () => {
  assert.ok(first?.links, 'no attachments from the previous test');
  const expected = [
    ['tela.png', PNG, /^image\/png\b/],
    ['fatura.pdf', PDF, /^application\/pdf\b/],
    ['erro.log', TEXT, /^text\/plain\b/],
  ];
  for (const [name, bytes, type] of expected) {
    const link = first.links.find((l) => l.name === name);
    const res = await s.fetch(link.url, { headers: { Cookie: maria.cookieHeader() } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, `${name}: ${res.status}`);
    assert.ok(body.equals(bytes), `${name}: the bytes differ (${body.length} bytes, expected ${bytes.length})`);
    assert.match(res.headers.get('content-type') || '', type, `${name}: Content-Type ${res.headers.get('content-type')}`);
    const cd = res.headers.get('content-disposition') || '';
    assert.ok(cd === `attachment; filename="${name}"` || cd === `attachment; filename="${name}"; filename*=UTF-8''${name}`,
      `${name}: Content-Disposition: ${cd}`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${name}`);
  }
});

test('?inline=1 serves an image inline, but a PDF or a text file stays a download', async () => {
  const png = first.links.find((l) => l.name === 'tela.png');
  const res = await s.fetch(`${png.url}?inline=1`, { headers: { Cookie: maria.cookieHeader() } });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200);
  assert.ok(body.equals(PNG));
  assert.match(res.headers.get('content-disposition') || '', /^inline\b/, `Content-Disposition: ${res.headers.get('content-disposition')}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  for (const name of ['fatura.pdf', 'erro.log']) {
    const l = first.links.find((x) => x.name === name);
    const r2 = await s.fetch(`${l.url}?inline=1`, { headers: { Cookie: maria.cookieHeader() } });
    await r2.arrayBuffer();
    assert.match(r2.headers.get('content-disposition') || '', /^attachment\b/, `${name}?inline=1: ${r2.headers.get('content-disposition')}`);
  }
});

test('a file named with accents keeps its name on the page, and the download names it with filename*=UTF-8\'\' and an ASCII filename=""', async () => {
  const name = 'relatório de ação.txt';
  const t = await openTicket(maria, { subject: 'Nome acentuado', message: 'ver anexo', files: [file(name, TEXT, { type: 'text/plain' })] });
  assert.equal(t.status, 303, describeResponse(t));
  const page = await maria.get(t.location);
  const [link] = attachmentLinks(page.body);
  assert.equal(link?.name, name);
  const res = await s.fetch(link.url, { headers: { Cookie: maria.cookieHeader() } });
  await res.arrayBuffer();
  const cd = Buffer.from(res.headers.get('content-disposition') || '', 'latin1').toString('latin1');
  assert.doesNotMatch(cd, /[^\x20-\x7e]/, `raw 8-bit bytes in Content-Disposition: ${cd}`);
  const star = /filename\*=UTF-8''([^;\s]+)/i.exec(cd)?.[1];
  assert.ok(star, `no filename*= in: ${cd}`);
  assert.equal(decodeURIComponent(star), name);
  assert.match(cd, /^attachment; filename="[\x20-\x7e]+"/, cd);
});

test('the client gets "[Ticket ID: N] <Assunto>" (RFC 2047-encoded) with the number and the link BASE/tickets/N in DATA_DIR/mail', async () => {
  const mails = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) && m.subject?.includes(first.number),
    { what: `the confirmation of #${first.number} to ${CLIENT.email}` });
  assert.equal(mails.length, 1, `${mails.length} confirmations`);
  const m = mails[0];
  assert.equal(m.subject, `[Ticket ID: ${first.number}] ${FIRST_SUBJECT}`);
  const raw = m.headers.find((h) => h.name === 'subject').value;
  assert.match(raw, /=\?utf-8\?[BQ]\?/i, `the raw Subject is not RFC 2047-encoded: ${raw}`);
  assert.doesNotMatch(raw, /[^\x20-\x7e]/, `8-bit characters in the raw Subject: ${raw}`);
  assert.ok(m.text && m.text.includes(`#${first.number}`), `the text part does not have #${first.number}:\n${m.text}`);
  assert.ok(m.links.includes(`${s.baseUrl}/tickets/${first.number}`), `links: ${m.links.join(' ')}`);
});

test('the department\'s staff (admin@exemplo.com.br) get a notification with the same [Ticket ID: N] tag', async () => {
  const mails = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(STAFF.email) && m.subject?.includes(`[Ticket ID: ${first.number}]`),
    { what: `the staff notification of #${first.number}` });
  assert.equal(mails.length, 1, `${mails.length} notifications`);
  assert.ok(mails[0].subject.startsWith(`[Ticket ID: ${first.number}] `), mails[0].subject);
  assert.ok((mails[0].text || '').includes('/checkout'), 'the notification does not carry the message');
});

test('a subject of exactly 200 characters (accented: more than 200 bytes) is accepted and kept whole', async () => {
  const subject = 'Configuração de e-mail não funciona '.padEnd(200, 'ã');
  assert.equal([...subject].length, 200);
  const t = await openTicket(maria, { subject });
  assert.equal(t.status, 303, describeResponse(t));
  const r = await maria.get(t.location);
  assert.ok(pageText(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(r.body)?.[1] || '').endsWith(subject), 'the subject was cut');
});

// ---- validation ---------------------------------------------------------------------------

async function countAll(c) {
  const r = await c.get('/tickets?status=all');
  return rows(r.body).length;
}

test('a blank subject answers 422 with the typed message and priority kept and "Escreva um assunto." tied to the field (aria-invalid)', async () => {
  const before = await countAll(maria);
  const message = 'Minha mensagem com <tags> & "aspas"\nsegunda linha';
  const t = await openTicket(maria, { subject: '   ', message, priority: 'high', service: 2 });
  assert.equal(t.status, 422, describeResponse(t));
  assert.equal(textareaValue(t.body, 'message'), message, 'the message was not kept');
  assert.match(tagById(t.body, 'subject'), /aria-invalid="true"/);
  assert.equal(fieldError(t.body, 'subject'), ERRORS.subjectBlank);
  assert.equal(options(t.body, 'priority').find((o) => o.selected)?.value, 'high', 'the priority was not kept');
  assert.equal(options(t.body, 'service').find((o) => o.selected)?.value, '2', 'the service was not kept');
  assert.doesNotMatch(tagById(t.body, 'message'), /aria-invalid/, 'the message field is marked invalid');
  assert.ok(mainText(t.body).includes(ERRORS.subjectBlank));
  assert.equal(await countAll(maria), before, 'a ticket was opened anyway');
});

test('a subject of 201 characters answers 422 "O assunto pode ter no máximo 200 caracteres." with the subject kept', async () => {
  const subject = 'a'.repeat(201);
  const t = await openTicket(maria, { subject, message: 'corpo' });
  assert.equal(t.status, 422, describeResponse(t));
  assert.equal(attr(tagById(t.body, 'subject'), 'value'), subject, 'the subject was not kept');
  assert.match(tagById(t.body, 'subject'), /aria-invalid="true"/);
  assert.equal(fieldError(t.body, 'subject'), ERRORS.subjectLong);
});

test('a blank message answers 422 with the subject kept and "Escreva uma mensagem descrevendo o problema." on the message', async () => {
  const t = await openTicket(maria, { subject: 'Assunto guardado', message: ' \n\t ' });
  assert.equal(t.status, 422, describeResponse(t));
  assert.equal(attr(tagById(t.body, 'subject'), 'value'), 'Assunto guardado');
  assert.match(tagById(t.body, 'message'), /aria-invalid="true"/);
  assert.equal(fieldError(t.body, 'message'), ERRORS.message);
});

test('another client\'s service id answers 422 "Escolha um dos seus serviços, ou Nenhum." and opens nothing', async () => {
  const other = await newClient('Cliente Sem Serviços');
  const t = await openTicket(other.c, { subject: 'Meu site', message: 'texto', service: 1 });
  assert.equal(t.status, 422, describeResponse(t));
  assert.match(tagById(t.body, 'service'), /aria-invalid="true"/);
  assert.equal(fieldError(t.body, 'service'), ERRORS.service);
  assert.equal(attr(tagById(t.body, 'subject'), 'value'), 'Meu site');
  assert.equal(textareaValue(t.body, 'message'), 'texto');
  assert.equal(await countAll(other.c), 0);
  const missing = await openTicket(maria, { subject: 'x', message: 'y', service: 987654 });
  assert.equal(missing.status, 422, `a service id that does not exist: ${describeResponse(missing)}`);
});

test('a priority outside low/medium/high answers 422 "Escolha uma prioridade."', async () => {
  const t = await openTicket(maria, { subject: 'Prioridade errada', message: 'texto', priority: 'urgent' });
  assert.equal(t.status, 422, describeResponse(t));
  assert.match(tagById(t.body, 'priority'), /aria-invalid="true"/);
  assert.equal(fieldError(t.body, 'priority'), ERRORS.priority);
});

test('with every field wrong, each field is marked and a summary at the top links to each of them', async () => {
  const other = await newClient('Cliente Erros');
  const t = await openTicket(other.c, { subject: '', message: '', priority: 'x', service: 1 });
  assert.equal(t.status, 422, describeResponse(t));
  for (const id of ['subject', 'service', 'priority', 'message']) {
    assert.match(tagById(t.body, id) || '', /aria-invalid="true"/, `${id} is not aria-invalid`);
    assert.ok(fieldError(t.body, id), `no error tied to ${id} by aria-describedby`);
  }
  const summaryBox = /<div class="alert error"[^>]*>([\s\S]*?)<\/div>/.exec(t.body)?.[1] || '';
  for (const id of ['subject', 'service', 'priority', 'message']) {
    assert.match(summaryBox, new RegExp(`href="#${id}"`), `the summary does not link to #${id}`);
  }
});

// ---- uploads ------------------------------------------------------------------------------

test('an HTML file named x.png answers 422 "O conteúdo de x.png não corresponde ao tipo do arquivo." with subject and message kept', async () => {
  const before = await countAll(maria);
  const t = await openTicket(maria, { subject: 'Com anexo falso', message: 'veja o print', files: [file('x.png', HTML, { type: 'image/png' })] });
  assert.equal(t.status, 422, describeResponse(t));
  assert.ok(mainText(t.body).includes('O conteúdo de x.png não corresponde ao tipo do arquivo.'), mainText(t.body).slice(0, 800));
  assert.match(tagById(t.body, 'attachments'), /aria-invalid="true"/);
  assert.equal(attr(tagById(t.body, 'subject'), 'value'), 'Com anexo falso');
  assert.equal(textareaValue(t.body, 'message'), 'veja o print');
  assert.equal(await countAll(maria), before);
});

test('x.exe answers 422 "x.exe não pode ser anexado"', async () => {
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 0)]);
  const t = await openTicket(maria, { subject: 'Executável', message: 'programa', files: [file('x.exe', exe)] });
  assert.equal(t.status, 422, describeResponse(t));
  assert.ok(mainText(t.body).includes('x.exe não pode ser anexado'), mainText(t.body).slice(0, 800));
});

test('five files are accepted, six answer 422 and open nothing', async () => {
  const five = Array.from({ length: 5 }, (_, i) => file(`nota-${i + 1}.txt`, Buffer.from(`nota ${i + 1}\n`)));
  const ok = await openTicket(maria, { subject: 'Cinco anexos', message: 'cinco', files: five });
  assert.equal(ok.status, 303, `5 files: ${describeResponse(ok)}`);
  const page = await maria.get(ok.location);
  assert.equal(attachmentLinks(page.body).length, 5);
  const before = await countAll(maria);
  const six = [...five, file('nota-6.txt', Buffer.from('nota 6\n'))];
  const bad = await openTicket(maria, { subject: 'Seis anexos', message: 'seis', files: six });
  assert.equal(bad.status, 422, `6 files: ${describeResponse(bad)}`);
  assert.ok(mainText(bad.body).includes('no máximo 5 arquivos'), mainText(bad.body).slice(0, 800));
  assert.equal(await countAll(maria), before);
});

test('a file of 11 MB answers 422 "… passa do limite de 10 MB."', async () => {
  const big = Buffer.alloc(11 * 1024 * 1024, 0x41);
  const t = await openTicket(maria, { subject: 'Log grande', message: 'anexo', files: [file('grande.log', big, { type: 'text/plain' })] });
  assert.equal(t.status, 422, describeResponse(t));
  assert.ok(mainText(t.body).includes('grande.log passa do limite de 10 MB.'), mainText(t.body).slice(0, 800));
});

test('the empty file part a browser sends when no file is chosen opens the ticket without attachments', async () => {
  const t = await openTicket(maria, { subject: 'Sem anexo', message: 'nenhum arquivo', files: [file('', Buffer.alloc(0))] });
  assert.equal(t.status, 303, describeResponse(t));
  const page = await maria.get(t.location);
  assert.equal(attachmentLinks(page.body).length, 0);
});

test('a body over CHAMADO_MAX_BODY answers 413 with an HTML page, and that server exits cleanly', async () => {
  const small = await startServer({ demo: true, env: { CHAMADO_MAX_BODY: '262144' } });
  try {
    const c = await signIn(small, CLIENT.email, CLIENT.password);
    const t = await openTicket(c, { subject: 'Grande', message: 'x', files: [file('a.log', Buffer.alloc(400 * 1024, 0x61))] });
    assert.equal(t.status, 413, describeResponse(t));
    assert.match(t.body, /<title>[^<]+<\/title>/, 'the 413 answer is not an HTML page');
    assert.match(t.body, /<h1[^>]*>[^<]+<\/h1>/);
    const list = await c.get('/tickets?status=all');
    assert.equal(rows(list.body).length, 0, 'a ticket was opened by the refused body');
  } finally {
    const problem = await stopProblem(small);
    assert.equal(problem, null, problem);
  }
});

// ---- double submit ------------------------------------------------------------------------

test('posting the same form twice (same submission key) answers 303 to the same ticket both times, the list shows it once, and one confirmation is sent', async () => {
  const c = await newClient('Cliente Duplo');
  const form = await ticketForm(c.c, 2);
  const one = await openTicket(c.c, { department: 2, subject: 'Cobrança em dobro', message: 'fui cobrado duas vezes', submission: form.submission });
  const two = await openTicket(c.c, { department: 2, subject: 'Cobrança em dobro', message: 'fui cobrado duas vezes', submission: form.submission });
  assert.equal(one.status, 303, describeResponse(one));
  assert.equal(two.status, 303, describeResponse(two));
  assert.equal(two.location, one.location, `first ${one.location}, second ${two.location}`);
  const list = await c.c.get('/tickets?status=all');
  assert.deepEqual(listedNumbers(list.body), [one.number]);
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(c.email.toLowerCase()), { what: `the confirmation to ${c.email}` });
  await new Promise((r) => setTimeout(r, 400));
  const mine = mailFiles(s.dataDir).filter((m) => m.toAddresses.includes(c.email.toLowerCase()));
  assert.equal(mine.length, 1, `${mine.length} confirmations: ${mine.map((m) => m.subject).join(' | ')}`);
});

test('two forms submitted in parallel with the same submission key still make one ticket', async () => {
  const c = await newClient('Cliente Paralelo');
  const form = await ticketForm(c.c, 1);
  const results = await Promise.all([1, 2, 3].map(() => openTicket(c.c, { subject: 'Duplo clique', message: 'cliquei várias vezes', submission: form.submission })));
  for (const r of results) assert.equal(r.status, 303, describeResponse(r));
  assert.equal(new Set(results.map((r) => r.location)).size, 1, results.map((r) => r.location).join(' '));
  const list = await c.c.get('/tickets?status=all');
  assert.equal(listedNumbers(list.body).length, 1);
});

// ---- the thread ---------------------------------------------------------------------------

test('Markdown in a message is rendered, raw HTML is escaped, and javascript:/data: links become href="#"', async () => {
  const message = ['**negrito**', '', '<script>alert(1)</script>', '', '<img src=x onerror=alert(2)>', '',
    '[a](javascript:alert(3)) [b](JaVaScRiPt:alert(4)) [c](data:text/html,x) [ok](https://exemplo.com.br/ajuda)'].join('\n');
  const t = await openTicket(maria, { subject: 'Formatação', message });
  assert.equal(t.status, 303, describeResponse(t));
  const r = await maria.get(t.location);
  const body = thread(r.body)[0]?.html || '';
  assert.match(body, /<strong>negrito<\/strong>/);
  assert.doesNotMatch(body, /<script/i, 'a <script> element in the thread');
  assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the <script> text is not shown escaped');
  assert.doesNotMatch(body, /<img\b[^>]*onerror/i, 'an <img onerror> element in the thread');
  assert.doesNotMatch(body, /href="[^"]*(javascript|data):/i, `a dangerous href: ${body}`);
  for (const label of ['a', 'b', 'c']) assert.match(body, new RegExp(`href="#"[^>]*>${label}</a>`), `link ${label} is not href="#": ${body}`);
  assert.match(body, /href="https:\/\/exemplo\.com\.br\/ajuda"/);
});

// ---- replies, close, reopen -------------------------------------------------------------

test('POST /tickets/N/reply with a PNG answers 303 back to the ticket, says "Sua resposta foi enviada.", and the status becomes Resposta do Cliente', async () => {
  assert.ok(first, 'no first ticket');
  const page = await maria.get(`/tickets/${first.number}`);
  const submission = /name="submission" value="([^"]+)"/.exec(page.body)?.[1];
  const r = await postMultipart(maria, `/tickets/${first.number}/reply`,
    { submission, message: 'Segue o **print** do erro.' }, [file('print2.png', PNG2, { type: 'image/png' })]);
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(r.location || '', new RegExp(`^/tickets/${first.number}(#.*)?$`), `Location: ${r.location}`);
  const after = await maria.get(`/tickets/${first.number}`);
  assert.equal(flash(after.body), 'Sua resposta foi enviada.');
  assert.equal(summary(after.body).Status, 'Resposta do Cliente');
  first.replySubmission = submission;
});

test('the thread lists the messages oldest first, and the reply carries its image attachment', async () => {
  const r = await maria.get(`/tickets/${first.number}`);
  const th = thread(r.body);
  assert.equal(th.length, 2, `${th.length} messages`);
  assert.ok(th[0].text.includes('/checkout'), `first message: ${th[0].text}`);
  assert.match(th[1].html, /<strong>print<\/strong>/, `second message: ${th[1].html}`);
  const link = attachmentLinks(th[1].raw).find((l) => l.name === 'print2.png');
  assert.ok(link, 'the reply has no print2.png link');
  assert.match(th[1].raw, /<img\b[^>]*src="\/tickets\/\d+\/attachments\/\d+\?inline=1"/);
  const res = await s.fetch(link.url, { headers: { Cookie: maria.cookieHeader() } });
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(PNG2), 'print2.png bytes differ');
});

test('posting the same reply twice (same submission key) adds it once', async () => {
  assert.ok(first.replySubmission);
  const r = await postMultipart(maria, `/tickets/${first.number}/reply`,
    { submission: first.replySubmission, message: 'Segue o **print** do erro.' }, [file('print2.png', PNG2, { type: 'image/png' })]);
  assert.equal(r.status, 303, describeResponse(r));
  const page = await maria.get(`/tickets/${first.number}`);
  assert.equal(thread(page.body).length, 2, 'the repeated reply was added again');
});

test('the staff get an email about the reply with the [Ticket ID: N] tag and the reply text', async () => {
  await waitForMail(s.dataDir, (m) => m.toAddresses.includes(STAFF.email) && m.subject?.includes(`[Ticket ID: ${first.number}]`) &&
    (m.text || '').includes('print'), { what: `the staff email about the reply to #${first.number}` });
});

test('a blank reply answers 422 "Escreva sua resposta." on the message field and adds nothing', async () => {
  const page = await maria.get(`/tickets/${first.number}`);
  const submission = /name="submission" value="([^"]+)"/.exec(page.body)?.[1];
  const r = await postMultipart(maria, `/tickets/${first.number}/reply`, { submission, message: '  \n ' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.match(tagById(r.body, 'message'), /aria-invalid="true"/);
  assert.equal(fieldError(r.body, 'message'), ERRORS.reply);
  assert.equal(thread(r.body).length, 2);
});

test('a reply with an HTML file named x.png answers 422 with the reply text kept', async () => {
  const page = await maria.get(`/tickets/${first.number}`);
  const submission = /name="submission" value="([^"]+)"/.exec(page.body)?.[1];
  const r = await postMultipart(maria, `/tickets/${first.number}/reply`, { submission, message: 'texto guardado' },
    [file('x.png', HTML, { type: 'image/png' })]);
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(mainText(r.body).includes('O conteúdo de x.png não corresponde ao tipo do arquivo.'));
  assert.equal(textareaValue(r.body, 'message'), 'texto guardado');
  const again = await maria.get(`/tickets/${first.number}`);
  assert.equal(thread(again.body).length, 2);
});

test('POST /tickets/N/close answers 303, the status becomes Fechado, and the ticket moves from ?status=open to ?status=closed', async () => {
  const page = await maria.get(`/tickets/${first.number}`);
  assert.match(page.body, /action="\/tickets\/\d+\/close"/, 'no close form on an open ticket');
  const r = await maria.post(`/tickets/${first.number}/close`, {});
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(r.location || '', new RegExp(`^/tickets/${first.number}(#.*)?$`));
  const after = await maria.get(`/tickets/${first.number}`);
  assert.equal(summary(after.body).Status, 'Fechado');
  assert.ok(flash(after.body), 'no message after closing');
  assert.doesNotMatch(after.body, /action="\/tickets\/\d+\/close"/, 'a closed ticket still offers "Fechar ticket"');
  const open = await maria.get('/tickets?status=open');
  assert.ok(!listedNumbers(open.body).includes(first.number), 'the closed ticket is still in the open list');
  const closed = await maria.get('/tickets?status=closed');
  assert.ok(listedNumbers(closed.body).includes(first.number), 'the closed ticket is not in ?status=closed');
});

test('a reply to a closed ticket reopens it as Resposta do Cliente', async () => {
  const page = await maria.get(`/tickets/${first.number}`);
  const submission = /name="submission" value="([^"]+)"/.exec(page.body)?.[1];
  const r = await postMultipart(maria, `/tickets/${first.number}/reply`, { submission, message: 'Voltou a acontecer.' });
  assert.equal(r.status, 303, describeResponse(r));
  const after = await maria.get(`/tickets/${first.number}`);
  assert.equal(summary(after.body).Status, 'Resposta do Cliente');
  const open = await maria.get('/tickets?status=open');
  assert.ok(listedNumbers(open.body).includes(first.number), 'the reopened ticket is not in the open list');
});

// ---- the list -----------------------------------------------------------------------------

test('a client without tickets sees "Você ainda não tem tickets abertos." with a link to Abrir Ticket, and no count in the menu', async () => {
  const c = await newClient('Cliente Novo');
  const r = await c.c.get('/tickets');
  assert.equal(r.status, 200);
  assert.ok(mainText(r.body).includes('Você ainda não tem tickets abertos.'), mainText(r.body));
  assert.match(/<div class="empty">[\s\S]*?<\/div>/.exec(r.body)?.[0] || '', /<a href="\/tickets\/new">Abrir Ticket<\/a>/);
  assert.ok([null, 0].includes(menuCount(r.body)), `menu count ${menuCount(r.body)}`);
});

test('the list shows number, department, subject, status word and a relative time with the exact time in title=""', async () => {
  const c = await newClient('Cliente Lista');
  const t = await openTicket(c.c, { department: 3, subject: 'Quero um upgrade <agora>', message: 'plano maior' });
  const r = await c.c.get('/tickets');
  const list = rows(r.body);
  assert.equal(list.length, 1, r.body.slice(0, 300));
  const [row] = list;
  assert.equal(row.number, t.number);
  assert.ok(row.cells[0].includes(`#${t.number}`), JSON.stringify(row.cells));
  assert.ok(row.cells.includes('Vendas'), JSON.stringify(row.cells));
  assert.ok(row.cells.includes('Quero um upgrade <agora>'), JSON.stringify(row.cells));
  assert.ok(row.cells.includes('Aberto'), JSON.stringify(row.cells));
  assert.equal(row.badge?.trim(), 'Aberto', 'the status badge has no word');
  assert.ok(row.time && row.time.length > 0, 'no relative time');
  assert.match(row.title || '', /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, `title="${row.title}"`);
  assert.ok(!Number.isNaN(Date.parse((row.datetime || '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))), `datetime="${row.datetime}"`);
});

let pager; // {c, numbers (creation order), next}

test('with 23 open tickets the list shows 20 and a "Mais antigos →" link to ?status=open&after=UPDATED.ID', async () => {
  const c = await newClient('Cliente Muitos Tickets');
  const numbers = [];
  for (let i = 1; i <= 23; i++) {
    const t = await openTicket(c.c, { subject: `Ticket ${i}`, message: `mensagem ${i}` });
    assert.equal(t.status, 303, `ticket ${i}: ${describeResponse(t)}`);
    numbers.push(t.number);
  }
  pager = { c, numbers };
  const r = await c.c.get('/tickets');
  pager.page1 = listedNumbers(r.body);
  assert.equal(pager.page1.length, 20, `${pager.page1.length} rows on page 1`);
  const next = /<a href="([^"]+)">\s*Mais antigos →\s*<\/a>/.exec(r.body)?.[1];
  assert.ok(next, 'no "Mais antigos →" link');
  assert.match(decodeEntities(next), /^\/tickets\?status=open&after=\d+\.\d+$/, `link: ${next}`);
  pager.next = decodeEntities(next);
});

test('"Mais antigos →" leads to the other 3, with no ticket repeated or lost, and no further link', async () => {
  assert.ok(pager?.next, 'no link from the previous test');
  const r = await pager.c.c.get(pager.next);
  assert.equal(r.status, 200);
  const page2 = listedNumbers(r.body);
  assert.equal(page2.length, 3, `page 2: ${page2.join(' ')}`);
  assert.deepEqual([...pager.page1, ...page2].sort(), pager.numbers.slice().sort(), 'the two pages are not every ticket exactly once');
  assert.doesNotMatch(r.body, /Mais antigos →/, 'a "Mais antigos →" link on the last page');
  pager.page2 = page2;
});

test('the list is newest first, also for tickets opened within the same second', async () => {
  assert.ok(pager?.page2, 'no pages from the previous tests');
  const expected = pager.numbers.slice().reverse();
  const shown = [...pager.page1, ...pager.page2];
  const firstWrong = shown.findIndex((n, i) => n !== expected[i]);
  assert.ok(firstWrong < 0, `row ${firstWrong + 1} is #${shown[firstWrong]} (opened ${pager.numbers.indexOf(shown[firstWrong]) + 1}th), ` +
    `expected #${expected[firstWrong]} (opened ${pager.numbers.indexOf(expected[firstWrong]) + 1}th); ` +
    `the list in opening order: ${shown.map((n) => pager.numbers.indexOf(n) + 1).join(' ')}`);
});

test('the menu shows the open-ticket count (span class="count") and it drops when a ticket is closed', async () => {
  const r = await pager.c.c.get('/tickets');
  assert.equal(menuCount(r.body), 23);
  const home = await pager.c.c.get('/');
  assert.equal(menuCount(home.body), 23, 'the count is not on the home page');
  const close = await pager.c.c.post(`/tickets/${pager.numbers[0]}/close`, {});
  assert.equal(close.status, 303, describeResponse(close));
  const after = await pager.c.c.get('/tickets');
  assert.equal(menuCount(after.body), 22);
});

test('with fewer open tickets than a page, Meus Tickets counts them from its own rows, as every page does', async () => {
  const c = await newClient('Cliente Poucos');
  const numbers = [];
  for (let i = 1; i <= 3; i++) numbers.push((await openTicket(c.c, { subject: `Poucos ${i}` })).number);
  assert.equal(menuCount((await c.c.get('/tickets')).body), 3);
  assert.equal(menuCount((await c.c.get('/')).body), 3, 'the home page counts otherwise');
  const close = await c.c.post(`/tickets/${numbers[1]}/close`, {});
  assert.equal(close.status, 303, describeResponse(close));
  assert.equal(menuCount((await c.c.get('/tickets')).body), 2);
  assert.equal(menuCount((await c.c.get('/tickets?status=closed')).body), 2, 'the closed list counts the open ones');
  assert.equal(menuCount((await c.c.get('/tickets?status=all')).body), 2);
});

test('past 99 open tickets the menu shows "99+", counted without reading every ticket', async () => {
  const c = await newClient('Cliente Monitor');
  const numbers = [];
  for (let i = 1; i <= 100; i++) {
    const t = await openTicket(c.c, { subject: `Alerta ${i}`, message: `site fora do ar ${i}` });
    assert.equal(t.status, 303, `ticket ${i}: ${describeResponse(t)}`);
    numbers.push(t.number);
  }
  const header = (html) => /<header[\s\S]*?<\/header>/i.exec(html)?.[0] || '';
  const r = await c.c.get('/tickets');
  assert.match(header(r.body), /<span class="count"[^>]*>\s*99\+\s*<\/span>/, 'no "99+" in the menu');
  const close = await c.c.post(`/tickets/${numbers[0]}/close`, {});
  assert.equal(close.status, 303, describeResponse(close));
  assert.equal(menuCount((await c.c.get('/tickets')).body), 99);
});

test('?status=closed lists only closed tickets, ?status=all lists both, and open is the default', async () => {
  const closed = await pager.c.c.get('/tickets?status=closed');
  assert.deepEqual(listedNumbers(closed.body), [pager.numbers[0]]);
  assert.ok(rows(closed.body).every((row) => row.badge?.trim() === 'Fechado'));
  const open = await pager.c.c.get('/tickets?status=open');
  const dflt = await pager.c.c.get('/tickets');
  assert.deepEqual(listedNumbers(dflt.body), listedNumbers(open.body));
  assert.ok(!listedNumbers(open.body).includes(pager.numbers[0]));
  const all = await pager.c.c.get('/tickets?status=all');
  const page1 = listedNumbers(all.body);
  assert.equal(page1.length, 20);
  const next = /<a href="([^"]+)">\s*Mais antigos →/.exec(all.body)?.[1];
  assert.match(decodeEntities(next || ''), /^\/tickets\?status=all&after=\d+\.\d+$/);
  const page2 = listedNumbers((await pager.c.c.get(decodeEntities(next))).body);
  assert.deepEqual([...page1, ...page2].sort(), pager.numbers.slice().sort(), 'all pages together are not every ticket once');
});

test('a malformed after= answers 400', async () => {
  for (const after of ['abc', '123', '1.x', '.5', '-1.2', '1.0', '99999999999999999999999.1', '1.2.3']) {
    const r = await pager.c.c.get(`/tickets?status=open&after=${encodeURIComponent(after)}`);
    assert.equal(r.status, 400, `after=${after}: ${r.status}`);
  }
});

test('24 replies posted at once to one ticket each land once: none lost, none doubled', async () => {
  const t = await openTicket(maria, { subject: 'Respostas ao mesmo tempo' });
  assert.equal(t.status, 303, describeResponse(t));
  const keys = [];
  for (let i = 0; i < 24; i++) {
    const page = await maria.get(`/tickets/${t.number}`);
    keys.push(/name="submission" value="([^"]+)"/.exec(page.body)?.[1]);
  }
  const sent = await Promise.all(keys.map((submission, i) => postMultipart(maria, `/tickets/${t.number}/reply`,
    { submission, message: `Resposta simultânea ${i + 1}.` })));
  for (const r of sent) assert.equal(r.status, 303, describeResponse(r));
  const th = thread((await maria.get(`/tickets/${t.number}`)).body);
  assert.equal(th.length, 25, `${th.length} messages: the opening and the 24 replies`);
  assert.deepEqual(th.slice(1).map((m) => m.text).sort(),
    keys.map((_, i) => `Resposta simultânea ${i + 1}.`).sort());
});

test('openings, client replies and staff changes at once all land, and the counts per status and the opened report stay true', async () => {
  const staff = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  await staff.get('/staff/tickets'); // a page with a CSRF token
  const before = [];
  for (let i = 0; i < 8; i++) before.push((await openTicket(maria, { subject: `Antes da carga ${i}` })).number);
  const opened = () => Number(runSql(s, 'SELECT COALESCE(SUM(opened), 0) FROM report_daily'));
  const openedBefore = opened();
  const statuses = ['on-hold', 'answered', 'closed', 'in-progress'];
  const work = [];
  for (let i = 0; i < 16; i++) work.push(openTicket(maria, { subject: `Durante a carga ${i}` }).then((r) => ['opening', r]));
  for (let i = 0; i < 8; i++) {
    work.push(postMultipart(maria, `/tickets/${before[i]}/reply`, { message: `Resposta durante a carga ${i}` }).then((r) => ['reply', r]));
    work.push(staff.post(`/staff/tickets/${before[i]}/update`, { status: statuses[i % 4], priority: 'high',
      department: String(1 + (i % 2)), assignee: '0' }).then((r) => ['staff change', r]));
  }
  for (const [what, r] of await Promise.all(work)) assert.equal(r.status, 303, `${what}: ${describeResponse(r)}`);
  const wrong = runSql(s, 'SELECT k.department_id, k.status, k.n FROM ticket_counts k WHERE k.n <> ' +
    '(SELECT count(*) FROM tickets t WHERE t.department_id = k.department_id AND t.status = k.status)');
  assert.equal(wrong, '', `counts that differ from the tickets (department|status|count): ${wrong}`);
  const missing = runSql(s, 'SELECT t.department_id, t.status FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_counts k ' +
    'WHERE k.department_id = t.department_id AND k.status = t.status) GROUP BY 1, 2');
  assert.equal(missing, '', `statuses with tickets and no count: ${missing}`);
  assert.equal(opened() - openedBefore, 16, 'the report counts each opening once');
});

test('the server exits with code 0 on SIGTERM, without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});
