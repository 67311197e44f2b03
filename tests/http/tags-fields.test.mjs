// Tags on tickets and custom fields per department (issue 16), end to end
// through the real binary: staff tag a ticket (normalised, 422 on a bad
// tag), the queue filters by tag and the Tags page counts them, bounded by
// the agent's departments; an admin defines a department's fields (agents
// 404); a client fills them on Abrir Ticket (422 keeping every value);
// staff-only fields never reach the client's page or emails; staff change
// values and filter the queue by one; the API round-trips both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { mainText, decodeEntities } from '../lib/accounts.mjs';
import { postMultipart } from '../lib/multipart.mjs';
import { CLIENT, STAFF, ticketForm, openTicket, waitForMail } from '../lib/fixtures.mjs';
import { createStaff, queueNumbers, threadItems, staffReply, uniqueWord } from '../lib/staff.mjs';
import { api, makeToken, describeApi } from '../lib/api.mjs';

let s;
let maria;
let admin;
let agentB; // an agent of Financeiro only
const run = uniqueWord('T');
const F = {}; // field ids by short name
const ALL = 'status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed';

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  agentB = (await createStaff(admin, { name: 'Bruno Financeiro', email: `bruno.${run.toLowerCase()}@exemplo.com.br`, departments: [2] })).client;
});
after(async () => {
  if (s) await s.stop();
});

/** Creates a field of department dep with the admin's form; returns its id. */
async function defineField(dep, { label, kind = 'text', options = '', required = false, visible = true, order = 10 }) {
  await admin.get(`/staff/admin/departments/${dep}/fields`);
  const form = { label, kind, options, sort_order: String(order) };
  if (required) form.required = '1';
  if (visible) form.client_visible = '1';
  const r = await admin.post(`/staff/admin/departments/${dep}/fields`, form);
  assert.equal(r.status, 303, r.body.slice(0, 400));
  const page = await admin.get(`/staff/admin/departments/${dep}/fields`);
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`fields\\?field=(\\d+)#field-form"><strong>${esc}</strong>`).exec(decodeEntities(page.body));
  assert.ok(m, `the field ${label} is not listed:\n${mainText(page.body).slice(0, 500)}`);
  return Number(m[1]);
}

async function staffPage(client, number) {
  return client.get(`/staff/tickets/${number}`);
}

/** The tags shown in a staff ticket page's Tags box. */
function tagsOf(html) {
  const box = /<section class="box tags-box"[\s\S]*?<\/section>/.exec(html)?.[0] || '';
  return [...box.matchAll(/<a class="tag" href="[^"]*">([^<]*)<\/a>/g)].map((m) => decodeEntities(m[1]));
}

test('an admin defines custom fields of a department; an agent gets 404 for those pages', async () => {
  F.php = await defineField(1, { label: `Versão do PHP ${run}`, required: true, order: 5 });
  F.env = await defineField(1, { label: `Ambiente ${run}`, kind: 'select', options: 'Produção\nHomologação', order: 6 });
  F.sites = await defineField(1, { label: `Quantidade de sites ${run}`, kind: 'number', order: 7 });
  F.secret = await defineField(1, { label: `Servidor interno ${run}`, visible: false, order: 8 });
  F.backup = await defineField(1, { label: `Tem backup ${run}`, kind: 'checkbox', order: 9 });

  const bad = await admin.post('/staff/admin/departments/1/fields', { label: 'Lista vazia', kind: 'select', options: '  \n', client_visible: '1' });
  assert.equal(bad.status, 422);
  assert.match(mainText(bad.body), /Uma lista precisa de pelo menos uma opção/);
  assert.equal(decodeEntities(bad.body).includes('value="Lista vazia"'), true, 'the typed label was not kept');

  assert.equal((await agentB.get('/staff/admin/departments/1/fields')).status, 404);
  await agentB.get('/staff');
  assert.equal((await agentB.post('/staff/admin/departments/2/fields', { label: 'Intruso', kind: 'text' })).status, 404);
  assert.equal((await agentB.post(`/staff/admin/departments/1/fields/${F.php}/delete`, {})).status, 404);

  // the change is in the admin's audit log
  const audit = mainText((await admin.get('/staff/admin/audit')).body);
  assert.ok(audit.includes(`Versão do PHP ${run}`) && audit.includes("Campo personalizado criado"), audit.slice(0, 600));
});

let T; // Maria's ticket with fields
let plain; // another ticket of department 1 without them

test('Abrir Ticket shows the client-visible fields; a missing required one is 422 keeping every value', async () => {
  const form = await ticketForm(maria, 1);
  const html = decodeEntities(form.body);
  assert.match(html, new RegExp(`<label for="field-${F.php}">Versão do PHP ${run} <span class="req">`));
  assert.ok(html.includes(`Ambiente ${run}`) && html.includes('Homologação'));
  assert.ok(!html.includes(`Servidor interno ${run}`), 'a staff-only field is on the client form');

  const typed = {
    submission: form.submission, department: 1, subject: `Site lento ${run}`, service: 0, priority: 'medium',
    message: 'O site está lento desde ontem.', [`field_${F.env}`]: 'Homologação', [`field_${F.sites}`]: '3,5x',
    [`field_${F.backup}`]: '1', [`field_${F.secret}`]: 'tentativa-do-cliente',
  };
  const r = await postMultipart(maria, '/tickets', typed);
  assert.equal(r.status, 422, r.body.slice(0, 300));
  const text = mainText(r.body);
  assert.match(text, new RegExp(`Preencha Versão do PHP ${run}`));
  assert.match(text, new RegExp(`Quantidade de sites ${run} aceita um número`));
  const body = decodeEntities(r.body);
  assert.ok(body.includes(`value="Site lento ${run}"`), 'the subject was not kept');
  assert.ok(body.includes('value="3,5x"'), 'the typed number was not kept');
  assert.match(body, /<option selected>Homologação<\/option>/);
  assert.match(body, new RegExp(`id="field-${F.backup}" type="checkbox" name="field_${F.backup}" value="1" checked`));
  assert.match(r.body, new RegExp(`id="field-${F.php}"[^>]*aria-invalid="true"`));

  const ok = await postMultipart(maria, '/tickets', { ...typed, [`field_${F.php}`]: '8.2', [`field_${F.sites}`]: '3' });
  assert.equal(ok.status, 303, ok.body.slice(0, 300));
  T = /\/tickets\/(\d+)$/.exec(ok.location)[1];
  const page = mainText((await maria.get(ok.location)).body);
  assert.ok(page.includes(`Versão do PHP ${run}`) && page.includes('8.2') && page.includes('Homologação'), page.slice(0, 800));
  assert.ok(!page.includes('tentativa-do-cliente'), 'a value the client sent for a staff-only field was stored');
  const second = await ticketForm(maria, 1);
  const p = await postMultipart(maria, '/tickets', {
    submission: second.submission, department: 1, subject: `Outro site ${run}`, service: 0, priority: 'low',
    message: 'Outro problema.', [`field_${F.php}`]: '8.1',
  });
  assert.equal(p.status, 303, p.body.slice(0, 300));
  plain = /\/tickets\/(\d+)$/.exec(p.location)[1];
});

test('staff see and edit every field; the staff-only value never reaches the client page or email', async () => {
  let page = await staffPage(admin, T);
  assert.equal(page.status, 200);
  assert.ok(decodeEntities(page.body).includes(`Servidor interno ${run}`));
  // a bad number: 422 naming the field, every typed value kept
  const bad = await admin.post(`/staff/tickets/${T}/fields`, {
    fields_form: '1', [`field_${F.php}`]: '8.3', [`field_${F.env}`]: 'Produção', [`field_${F.sites}`]: 'muitos',
    [`field_${F.secret}`]: `srv-${run}`,
  });
  assert.equal(bad.status, 422);
  assert.match(mainText(bad.body), new RegExp(`Quantidade de sites ${run} aceita um número`));
  assert.ok(decodeEntities(bad.body).includes(`value="srv-${run}"`), 'the typed value was not kept');
  // clearing a required field that has a value is refused
  const clear = await admin.post(`/staff/tickets/${T}/fields`, { fields_form: '1', [`field_${F.php}`]: '' });
  assert.equal(clear.status, 422);

  const ok = await admin.post(`/staff/tickets/${T}/fields`, {
    fields_form: '1', [`field_${F.php}`]: '8.3', [`field_${F.env}`]: 'Produção', [`field_${F.sites}`]: '4',
    [`field_${F.secret}`]: `srv-${run}`,
  });
  assert.equal(ok.status, 303, ok.body.slice(0, 300));
  page = await staffPage(admin, T);
  const html = decodeEntities(page.body);
  assert.ok(html.includes(`value="srv-${run}"`) && html.includes('value="8.3"'));
  assert.ok(!new RegExp(`name="field_${F.backup}" value="1" checked`).test(html), 'the unticked box stayed ticked');
  const events = threadItems(page.body).filter((i) => i.kind === 'event').map((i) => i.text);
  assert.ok(events.some((e) => e.includes(`definiu Versão do PHP ${run} como 8.3`)), events.join('\n'));
  assert.ok(events.some((e) => e.includes(`definiu Tem backup ${run} como Não`)), events.join('\n'));

  const client = mainText((await maria.get(`/tickets/${T}`)).body);
  assert.ok(client.includes('8.3') && client.includes('Produção'));
  assert.ok(!client.includes(`srv-${run}`) && !client.includes(`Servidor interno ${run}`), 'the staff-only field is on the client page');

  const reply = `Resposta com campos ${run}`;
  assert.equal((await staffReply(admin, T, reply)).status, 303);
  const mails = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) && (m.text || '').includes(reply),
    { what: 'the staff reply to the client' });
  for (const m of mails) {
    assert.ok(!(m.text || '').includes(`srv-${run}`) && !(m.html || '').includes(`srv-${run}`), 'a staff-only value is in a client email');
  }
});

test('the queue filters by a field value; the field value links to that filter', async () => {
  const page = decodeEntities((await staffPage(admin, T)).body);
  assert.ok(page.includes(`/staff/tickets?${ALL}&field=${F.env}&value=Produ%C3%A7%C3%A3o`), 'no link to the queue by value');
  const q = await admin.get(`/staff/tickets?${ALL}&field=${F.env}&value=${encodeURIComponent('Produção')}`);
  assert.equal(q.status, 200);
  assert.deepEqual(queueNumbers(q.body), [T]);
  const text = await admin.get(`/staff/tickets?${ALL}&field=${F.secret}&value=srv-${run}`);
  assert.deepEqual(queueNumbers(text.body), [T]);
  const none = await admin.get(`/staff/tickets?${ALL}&field=${F.env}&value=Homologa%C3%A7%C3%A3o`);
  assert.deepEqual(queueNumbers(none.body), []);
  // the agent of Financeiro does not get department 1's tickets through it
  const other = await agentB.get(`/staff/tickets?${ALL}&field=${F.env}&value=${encodeURIComponent('Produção')}`);
  assert.deepEqual(queueNumbers(other.body), []);
});

let B; // a Financeiro ticket
const TAG = `urgente-${run.toLowerCase()}`;

test('staff add tags (normalised) and remove them; a bad tag is 422 keeping what was typed', async () => {
  await staffPage(admin, T);
  let r = await admin.post(`/staff/tickets/${T}/tags`, { tag: `  Site Fora do Ar , DNS, ${TAG.toUpperCase()}` });
  assert.equal(r.status, 303, r.body.slice(0, 300));
  let page = await staffPage(admin, T);
  assert.deepEqual(tagsOf(page.body), ['dns', 'site-fora-do-ar', TAG]);
  assert.match(page.body, /<datalist id="tag-suggestions">[\s\S]*<option value="dns">/);
  const events = threadItems(page.body).filter((i) => i.kind === 'event').map((i) => i.text);
  assert.ok(events.some((e) => e.includes('adicionou a etiqueta dns')), events.join('\n'));

  r = await admin.post(`/staff/tickets/${T}/tags`, { tag: 'bom, não<pode>' });
  assert.equal(r.status, 422);
  assert.match(mainText(r.body), /A etiqueta “não<pode>” tem um caractere/);
  assert.ok(decodeEntities(r.body).includes('value="bom, não<pode>"'), 'the typed tags were not kept');
  assert.deepEqual(tagsOf(r.body), ['dns', 'site-fora-do-ar', TAG], 'a tag of a refused post was saved');

  r = await admin.post(`/staff/tickets/${T}/tags`, { remove: 'site-fora-do-ar' });
  assert.equal(r.status, 303);
  page = await staffPage(admin, T);
  assert.deepEqual(tagsOf(page.body), ['dns', TAG]);
  assert.ok(threadItems(page.body).some((i) => i.kind === 'event' && i.text.includes('removeu a etiqueta site-fora-do-ar')));
  // tags are staff-only
  assert.ok(!mainText((await maria.get(`/tickets/${T}`)).body).includes(TAG));
});

test('a tag links to the queue filtered by it, and the Tags page counts tickets per tag', async () => {
  await staffPage(admin, plain);
  assert.equal((await admin.post(`/staff/tickets/${plain}/tags`, { tag: 'dns' })).status, 303);
  const page = decodeEntities((await staffPage(admin, T)).body);
  assert.ok(page.includes(`href="/staff/tickets?${ALL}&tag=dns"`), 'a tag does not link to its queue');
  const q = await admin.get(`/staff/tickets?${ALL}&tag=dns`);
  assert.deepEqual(queueNumbers(q.body).sort(), [T, plain].sort());
  assert.deepEqual(queueNumbers((await admin.get(`/staff/tickets?${ALL}&tag=${TAG}`)).body), [T]);
  // the filter is kept in the form
  assert.match(q.body, /id="tag" name="tag"[^>]*value="dns"/);

  const tags = mainText((await admin.get('/staff/tags')).body);
  assert.match(tags, /dns 2/);
  assert.ok(tags.includes(`${TAG} 1`));
  assert.match((await admin.get('/staff/tickets')).body, /href="\/staff\/tags"/);
});

test('an agent without the department sees neither the ticket nor its tags or counts', async () => {
  const b = await openTicket(maria, { subject: `Fatura ${run}`, department: 2 });
  B = b.number;
  await staffPage(agentB, B);
  assert.equal((await agentB.post(`/staff/tickets/${B}/tags`, { tag: `cobranca-${run}` })).status, 303);
  assert.equal((await agentB.post(`/staff/tickets/${B}/tags`, { tag: 'dns' })).status, 303);

  assert.equal((await staffPage(agentB, T)).status, 404);
  assert.equal((await agentB.post(`/staff/tickets/${T}/tags`, { tag: 'invasor' })).status, 404);
  assert.equal((await agentB.post(`/staff/tickets/${T}/fields`, { fields_form: '1' })).status, 404);

  const tags = mainText((await agentB.get('/staff/tags')).body);
  assert.ok(!tags.includes(TAG), `the agent sees a tag of a department they lack:\n${tags}`);
  assert.match(tags, /dns 1/, 'the agent counts tickets of a department they lack');
  assert.ok(tags.toLowerCase().includes(`cobranca-${run.toLowerCase()} 1`));
  assert.deepEqual(queueNumbers((await agentB.get(`/staff/tickets?${ALL}&tag=dns`)).body), [B]);
  assert.deepEqual(queueNumbers((await agentB.get(`/staff/tickets?${ALL}&tag=${TAG}`)).body), []);
  // nor the suggestions on a ticket page, nor the field filter's list
  const page = decodeEntities((await staffPage(agentB, B)).body);
  assert.ok(!page.includes(TAG));
  assert.ok(!decodeEntities((await agentB.get('/staff/tickets')).body).includes(`Versão do PHP ${run}`));
});

test('API: tags and custom_fields round trip (POST, PUT replaces, additional/remove), and ticket_fields.json', async () => {
  const auth = { token: await makeToken(s, STAFF.email), email: STAFF.email };
  const created = await api(s, auth, 'POST', '/api/v2/tickets.json', {
    ticket: {
      subject: `Pela API ${run}`, comment: { body: 'Aberto pela API.' }, group_id: 1,
      requester: { email: CLIENT.email, name: CLIENT.name },
      tags: ['API Nova', 'dns'], custom_fields: [{ id: F.php, value: '7.4' }, { id: F.sites, value: 12 }, { id: F.backup, value: true }],
    },
  });
  assert.equal(created.status, 201, describeApi(created));
  const t = created.json.ticket;
  assert.deepEqual(t.tags, ['api-nova', 'dns']);
  const cf = Object.fromEntries(t.custom_fields.map((f) => [f.id, f.value]));
  assert.equal(cf[F.php], '7.4');
  assert.equal(cf[F.sites], '12');
  assert.equal(cf[F.backup], true);
  assert.equal(cf[F.env], null);

  let r = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, {
    ticket: { tags: ['Trocada'], custom_fields: [{ id: F.env, value: 'Homologação' }, { id: F.backup, value: false }] },
  });
  assert.equal(r.status, 200, describeApi(r));
  assert.deepEqual(r.json.ticket.tags, ['trocada']);
  const cf2 = Object.fromEntries(r.json.ticket.custom_fields.map((f) => [f.id, f.value]));
  assert.equal(cf2[F.env], 'Homologação');
  assert.equal(cf2[F.backup], false);
  assert.equal(cf2[F.php], '7.4', 'a field not sent changed');

  r = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { additional_tags: ['extra'], remove_tags: ['trocada'] } });
  assert.equal(r.status, 200, describeApi(r));
  assert.deepEqual(r.json.ticket.tags, ['extra']);
  r = await api(s, auth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.deepEqual(r.json.ticket.tags, ['extra']);

  for (const body of [{ tags: ['não<pode>'] }, { tags: 'dns' }, { custom_fields: [{ id: F.env, value: 'Outro' }] },
    { custom_fields: [{ id: 999999, value: 'x' }] }, { custom_fields: [{ id: F.sites, value: 'muitos' }] }]) {
    const bad = await api(s, auth, 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { status: 'pending', ...body } });
    assert.equal(bad.status, 422, `${JSON.stringify(body)}: ${describeApi(bad)}`);
  }
  r = await api(s, auth, 'GET', `/api/v2/tickets/${t.id}.json`);
  assert.notEqual(r.json.ticket.status, 'pending', 'a refused PUT changed the status');

  const fields = await api(s, auth, 'GET', '/api/v2/ticket_fields.json');
  assert.equal(fields.status, 200, describeApi(fields));
  const env = fields.json.ticket_fields.find((f) => f.id === F.env);
  assert.equal(env.title, `Ambiente ${run}`);
  assert.equal(env.type, 'tagger');
  assert.equal(env.required, false);
  assert.deepEqual(env.custom_field_options.map((o) => o.name), ['Produção', 'Homologação']);
  const php = fields.json.ticket_fields.find((f) => f.id === F.php);
  assert.equal(php.type, 'text');
  assert.equal(php.required, true);
  assert.equal(fields.json.ticket_fields.find((f) => f.id === F.secret).visible_in_portal, false);
  assert.equal(fields.json.ticket_fields.find((f) => f.id === F.sites).type, 'decimal');
});
